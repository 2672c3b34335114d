//! The query model: what the protocol layer asks a store for.
//!
//! Filters arrive already bound to a resource type
//! ([`scimhub_filter::BoundFilter`]): canonical names, types and case
//! sensitivity are known, so a store compares correctly without knowing
//! any schema. Group membership, which stores keep apart from documents,
//! appears as its own predicates.

use scimhub_filter::{BoundFilter, BoundPath};

/// A condition on resources.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A filter over the resource's attributes. Besides the document, it
    /// may name `id`, `meta.created`, `meta.lastModified`, `meta.version`
    /// and `meta.resourceType`, which the store keeps itself.
    Filter(BoundFilter),
    /// The resource (a group) has a member satisfying the filter, whose
    /// paths are relative to one member: `value` (the member's id) and
    /// `type` (`User` or `Group`). An empty [`BoundFilter::And`] means
    /// "has any member".
    HasMember(BoundFilter),
    /// The resource is a direct member of some group satisfying the
    /// expression (`User.groups`, and licences derived from groups).
    MemberOf(Box<Expr>),
    /// Negation.
    Not(Box<Expr>),
    /// Conjunction.
    And(Vec<Expr>),
    /// Disjunction.
    Or(Vec<Expr>),
}

/// A sort key.
///
/// Values compare by the attribute's type (strings ignoring case unless
/// `caseExact`, dateTimes as instants, numbers numerically). A
/// multi-valued attribute sorts by its primary value, or its first.
/// Resources without a value sort after all others in ascending order and
/// before them in descending order. Ties are broken by creation order, so
/// the order is total and pages are stable.
#[derive(Debug, Clone, PartialEq)]
pub struct Sort {
    /// The attribute.
    pub path: BoundPath,
    /// Descending rather than ascending.
    pub descending: bool,
}

/// Which page of the results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pagination {
    /// RFC 7644 index pagination: `count` results from the 1-based
    /// `start_index`. A `count` of 0 asks only for the total.
    Index {
        /// 1-based index of the first result.
        start_index: u64,
        /// Page size.
        count: u64,
    },
    /// RFC 9865 cursor pagination: `count` results after the position a
    /// previous page's cursor names (`None` for the first page).
    Cursor {
        /// The cursor of the previous page.
        after: Option<String>,
        /// Page size.
        count: u64,
    },
}

/// A list query.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The resource type listed.
    pub resource_type: String,
    /// The condition; `None` lists everything of the type.
    pub filter: Option<Expr>,
    /// The order; `None` means creation order.
    pub sort: Option<Sort>,
    /// The page.
    pub page: Pagination,
}

impl Query {
    /// All resources of a type, first `count` in creation order.
    pub fn all(resource_type: &str, count: u64) -> Query {
        Query {
            resource_type: resource_type.to_owned(),
            filter: None,
            sort: None,
            page: Pagination::Index {
                start_index: 1,
                count,
            },
        }
    }
}

/// One page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// How many resources match, across all pages.
    pub total: u64,
    /// This page's resources, in order.
    pub resources: Vec<crate::model::StoredResource>,
    /// With cursor pagination: the cursor of the next page, if there is
    /// one.
    pub next_cursor: Option<String>,
}
