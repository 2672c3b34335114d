//! Listing and searching (RFC 7644 §3.4.2, §3.4.3) with index and cursor
//! (RFC 9865) pagination.
//!
//! A GET whose filter names an attribute that is never returned (the
//! `password`) is refused with 403 `sensitive` (RFC 7644 §3.12, §7.5.2): a
//! secret in a URL ends up in proxy and server logs. The same filter in
//! the body of `POST …/.search` is allowed; since passwords are never
//! stored, it matches nothing.

use std::num::IntErrorKind;

use scimhub_filter::{BoundFilter, BoundPath, bind, bind_path, parse_attr_path};
use scimhub_schema::message::{ListResponse, ScimType, SearchRequest, SortOrder, split_names};
use scimhub_schema::{AttributeType, ResourceTypeRef, Returned, urn};
use scimhub_store::{Pagination, Query, Sort, Tenant};

use crate::body::parse_body;
use crate::error::{Result, ScimError};
use crate::render::{Rendered, list_response, needs_groups, render_page};
use crate::request::{Request, Response};
use crate::resources::projection_of;
use crate::rewrite;
use crate::service::Service;

/// A list request, from query parameters or a SearchRequest body.
struct Params {
    attributes: Vec<String>,
    excluded: Vec<String>,
    filter: Option<String>,
    sort_by: Option<String>,
    sort_order: Option<SortOrder>,
    start_index: Option<i64>,
    count: Option<i64>,
    cursor: Option<String>,
    /// Whether the parameters came in the URL (GET), where a filter on a
    /// secret must not travel.
    in_url: bool,
}

/// A `startIndex` or `count` from the query. An integer too large for
/// `i64` is still an integer: it saturates, so that an enormous `count`
/// gets the largest page and an enormous `startIndex` an empty one, as
/// RFC 7644 §3.4.2.4 reads any other out-of-range value.
fn integer(name: &str, v: Option<&str>) -> Result<Option<i64>> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => match s.parse::<i64>() {
            Ok(n) => Ok(Some(n)),
            Err(e) => match e.kind() {
                IntErrorKind::PosOverflow => Ok(Some(i64::MAX)),
                IntErrorKind::NegOverflow => Ok(Some(i64::MIN)),
                _ => Err(ScimError::invalid_value(format!(
                    "{name} must be an integer, not \"{s}\""
                ))),
            },
        },
    }
}

impl Params {
    fn from_query(req: &Request) -> Result<Params> {
        let sort_order = match req.param("sortOrder").map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(s.parse::<SortOrder>().map_err(|_| {
                ScimError::invalid_value(format!(
                    "sortOrder must be \"ascending\" or \"descending\", not \"{s}\""
                ))
            })?),
        };
        Ok(Params {
            attributes: req.param("attributes").map(split_names).unwrap_or_default(),
            excluded: req
                .param("excludedAttributes")
                .map(split_names)
                .unwrap_or_default(),
            filter: req.param("filter").map(str::to_owned),
            sort_by: req
                .param("sortBy")
                .map(str::to_owned)
                .filter(|s| !s.trim().is_empty()),
            sort_order,
            start_index: integer("startIndex", req.param("startIndex"))?,
            count: integer("count", req.param("count"))?,
            cursor: req.param("cursor").map(str::to_owned),
            in_url: true,
        })
    }

    fn from_body(service: &Service, req: &Request) -> Result<Params> {
        let s: SearchRequest = parse_body(
            req,
            service.config().limits.max_body_bytes,
            Some(urn::SEARCH_REQUEST),
        )?;
        Ok(Params {
            attributes: s.attributes.unwrap_or_default(),
            excluded: s.excluded_attributes.unwrap_or_default(),
            filter: s.filter,
            sort_by: s.sort_by.filter(|s| !s.trim().is_empty()),
            sort_order: s.sort_order,
            start_index: s.start_index,
            count: s.count,
            cursor: s.cursor,
            in_url: false,
        })
    }
}

/// The first attribute `f` names whose value is never returned (such as
/// `password`): a secret, in its canonical spelling.
fn secret_in(rt: ResourceTypeRef<'_>, f: &BoundFilter) -> Option<String> {
    match f {
        BoundFilter::Present(p) | BoundFilter::Compare(p, _, _) => never_returned(rt, p),
        BoundFilter::ValuePath { attr, filter } => {
            never_returned(rt, attr).or_else(|| secret_in(rt, filter))
        }
        BoundFilter::Not(f) => secret_in(rt, f),
        BoundFilter::And(fs) | BoundFilter::Or(fs) => fs.iter().find_map(|f| secret_in(rt, f)),
    }
}

fn never_returned(rt: ResourceTypeRef<'_>, p: &BoundPath) -> Option<String> {
    let r = rt
        .resolve_parts(p.extension.as_deref(), &p.attribute, p.sub.as_deref())
        .ok()?;
    let never =
        r.attribute().returned() == Returned::Never || r.definition().returned() == Returned::Never;
    never.then(|| r.canonical_path())
}

/// The store query for one resource type.
fn query(service: &Service, rt: ResourceTypeRef<'_>, p: &Params) -> Result<Query> {
    let limits = service.config().limits;
    let filter = match p.filter.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => {
            let parsed = service.inner.parser.parse_filter(text)?;
            let bound = bind(&parsed, rt)?;
            if p.in_url
                && let Some(secret) = secret_in(rt, &bound)
            {
                return Err(ScimError::new(
                    403,
                    Some(ScimType::Sensitive),
                    format!(
                        "the filter names '{secret}', which is never returned: a filter on a secret must not travel in a URL, where proxies and logs keep it (RFC 7644 §7.5.2); send it in the body of POST {}/.search instead",
                        rt.definition().endpoint()
                    ),
                ));
            }
            Some(rewrite::to_expr(service.registry(), rt.name(), bound)?)
        }
    };
    let sort = match &p.sort_by {
        None => None,
        Some(name) => {
            let name = name.trim();
            let bind_sort = |name: &str| {
                parse_attr_path(name)
                    .and_then(|p| bind_path(&p, rt))
                    .map_err(|e| ScimError::invalid_value(format!("sortBy: {e}")))
            };
            let mut path = bind_sort(name)?;
            // RFC 7644 §3.4.2.3: a complex attribute sorts by a
            // sub-attribute, a multi-valued one by its primary value; so
            // `emails` sorts by `emails.value` (of the primary email).
            if path.attr_type == AttributeType::Complex && path.sub.is_none() {
                path = bind_sort(&format!("{name}.value")).map_err(|_| {
                    ScimError::invalid_value(format!(
                        "sortBy: '{name}' is complex; name one of its sub-attributes, as in {name}.x"
                    ))
                })?;
            }
            let computed = (rt.name() == "User"
                && (path.attribute == "groups"
                    || path
                        .extension
                        .as_deref()
                        .is_some_and(|e| urn::eq(e, urn::LICENSE_USER))))
                || (rt.name() == "Group" && path.attribute == "members");
            if computed {
                return Err(ScimError::invalid_value(format!(
                    "sortBy: cannot sort by {name}"
                )));
            }
            Some(Sort {
                path,
                descending: p.sort_order == Some(SortOrder::Descending),
            })
        }
    };
    let count = p
        .count
        .map_or(limits.default_page_size, |c| u64::try_from(c).unwrap_or(0))
        .min(limits.max_page_size);
    let page = match &p.cursor {
        Some(cursor) => {
            if p.start_index.is_some() {
                return Err(ScimError::invalid_value(
                    "use either startIndex (index pagination) or cursor (cursor pagination), not both",
                ));
            }
            Pagination::Cursor {
                after: (!cursor.trim().is_empty()).then(|| cursor.trim().to_owned()),
                count,
            }
        }
        None => Pagination::Index {
            start_index: p
                .start_index
                .map_or(1, |s| u64::try_from(s.max(1)).unwrap_or(1)),
            count,
        },
    };
    Ok(Query {
        resource_type: rt.name().to_owned(),
        filter,
        sort,
        page,
    })
}

async fn run(
    service: &Service,
    tenant: &Tenant,
    rt: ResourceTypeRef<'_>,
    req: &Request,
    p: Params,
) -> Result<Response> {
    let q = query(service, rt, &p)?;
    let projection = projection_of(rt, &p.attributes, &p.excluded);
    // Users' groups (and licences) are read with the page.
    let (page, groups) = if needs_groups(rt, &projection) {
        let (page, groups) = service.store().list_with_groups(&tenant.id, &q).await?;
        (page, Some(groups))
    } else {
        (service.store().list(&tenant.id, &q).await?, None)
    };
    let mut resources = Vec::new();
    render_page(
        service,
        &tenant.id,
        rt,
        page.resources,
        groups.as_ref(),
        &req.base_url,
        &projection,
        &mut resources,
    )
    .await?;
    let mut list: ListResponse<Rendered> = ListResponse::new(page.total, 1, resources);
    match q.page {
        Pagination::Index { start_index, .. } => list.start_index = Some(start_index),
        Pagination::Cursor { .. } => {
            list.start_index = None;
            list.next_cursor = page.next_cursor;
        }
    }
    Ok(list_response(list))
}

pub(crate) async fn list(
    service: &Service,
    tenant: &Tenant,
    rt: ResourceTypeRef<'_>,
    req: &Request,
) -> Result<Response> {
    run(service, tenant, rt, req, Params::from_query(req)?).await
}

pub(crate) async fn search(
    service: &Service,
    tenant: &Tenant,
    rt: ResourceTypeRef<'_>,
    req: &Request,
) -> Result<Response> {
    run(service, tenant, rt, req, Params::from_body(service, req)?).await
}

/// `POST /.search`: every resource type, in registry order. A filter
/// naming attributes of only some types searches those types.
pub(crate) async fn search_all(
    service: &Service,
    tenant: &Tenant,
    req: &Request,
) -> Result<Response> {
    let p = Params::from_body(service, req)?;
    if p.cursor.is_some() {
        return Err(ScimError::invalid_value(
            "cursor pagination is not available on /.search; search one resource type",
        ));
    }
    if p.sort_by.is_some() {
        return Err(ScimError::invalid_value(
            "sortBy is not available on /.search; search one resource type",
        ));
    }
    let limits = service.config().limits;
    let start = p
        .start_index
        .map_or(1, |s| u64::try_from(s.max(1)).unwrap_or(1));
    let count = p
        .count
        .map_or(limits.default_page_size, |c| u64::try_from(c).unwrap_or(0))
        .min(limits.max_page_size);
    let mut total = 0u64;
    let mut resources = Vec::new();
    let mut last_error = None;
    let mut searched = 0;
    for rt in service.registry().resource_types() {
        // Resources before the page start are skipped per type, so each
        // type is read only as far as the page needs.
        let mut q = match query(
            service,
            rt,
            &Params {
                cursor: None,
                start_index: None,
                count: Some(0),
                ..clone_params(&p)
            },
        ) {
            Ok(q) => q,
            Err(e) if e.scim_type == Some(ScimType::InvalidFilter) => {
                last_error = Some(e);
                continue;
            }
            Err(e) => return Err(e),
        };
        searched += 1;
        let type_total = service
            .store()
            .count(&tenant.id, rt.name(), q.filter.as_ref())
            .await?;
        let skip_in_type = start.saturating_sub(1).saturating_sub(total);
        let want = count.saturating_sub(resources.len() as u64);
        if want > 0 && skip_in_type < type_total {
            q.page = Pagination::Index {
                start_index: skip_in_type + 1,
                count: want,
            };
            let page = service.store().list(&tenant.id, &q).await?;
            let projection = projection_of(rt, &p.attributes, &p.excluded);
            render_page(
                service,
                &tenant.id,
                rt,
                page.resources,
                None,
                &req.base_url,
                &projection,
                &mut resources,
            )
            .await?;
        }
        total += type_total;
    }
    if searched == 0
        && let Some(e) = last_error
    {
        return Err(e);
    }
    let mut list: ListResponse<Rendered> = ListResponse::new(total, start, resources);
    list.start_index = Some(start);
    Ok(list_response(list))
}

fn clone_params(p: &Params) -> Params {
    Params {
        attributes: p.attributes.clone(),
        excluded: p.excluded.clone(),
        filter: p.filter.clone(),
        sort_by: p.sort_by.clone(),
        sort_order: p.sort_order,
        start_index: p.start_index,
        count: p.count,
        cursor: p.cursor.clone(),
        in_url: p.in_url,
    }
}
