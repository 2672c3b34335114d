//! Discovery (RFC 7644 §4): the service provider configuration, resource
//! types and schemas, generated from the registry and the real limits.

use scimhub_schema::discovery::{
    AuthenticationScheme, BulkConfig, FilterConfig, PaginationConfig, ServiceProviderConfig,
    Supported,
};
use scimhub_schema::message::ListResponse;
use serde_json::{Value, json};

use crate::error::{Result, ScimError};
use crate::request::{Request, Response};
use crate::service::Service;

/// The configuration this service advertises: what it implements, with
/// its limits.
pub fn config_document(service: &Service, base_url: &str) -> ServiceProviderConfig {
    let limits = service.config().limits;
    ServiceProviderConfig {
        documentation_uri: service.config().documentation_uri.clone(),
        patch: Supported { supported: true },
        bulk: BulkConfig {
            supported: true,
            max_operations: limits.max_bulk_operations as u64,
            max_payload_size: limits.max_bulk_payload_bytes as u64,
        },
        filter: FilterConfig {
            supported: true,
            max_results: limits.max_page_size,
        },
        change_password: Supported { supported: false },
        sort: Supported { supported: true },
        etag: Supported { supported: true },
        pagination: Some(PaginationConfig {
            cursor: true,
            index: true,
            default_pagination_method: Some("index".into()),
            default_page_size: Some(limits.default_page_size),
            max_page_size: Some(limits.max_page_size),
            cursor_timeout: None,
        }),
        authentication_schemes: vec![AuthenticationScheme::bearer_token()],
        meta: Some(json!({
            "resourceType": "ServiceProviderConfig",
            "location": format!("{base_url}/ServiceProviderConfig"),
        })),
        ..ServiceProviderConfig::default()
    }
}

pub(crate) fn service_provider_config(service: &Service, req: &Request) -> Result<Response> {
    Ok(Response::json(
        200,
        &config_document(service, &req.base_url),
    ))
}

fn list(items: Vec<Value>) -> Response {
    let total = items.len() as u64;
    Response::json(200, &ListResponse::new(total, 1, items))
}

pub(crate) fn resource_types(service: &Service, req: &Request) -> Result<Response> {
    Ok(list(
        service
            .registry()
            .resource_types()
            .map(|rt| {
                let def = rt.definition();
                def.to_representation(Some(&format!(
                    "{}/ResourceTypes/{}",
                    req.base_url,
                    def.name()
                )))
            })
            .collect(),
    ))
}

pub(crate) fn resource_type(service: &Service, req: &Request, name: &str) -> Result<Response> {
    let rt = service
        .registry()
        .resource_type(name)
        .ok_or_else(|| ScimError::not_found(format!("no resource type named '{name}'")))?;
    let def = rt.definition();
    Ok(Response::json(
        200,
        &def.to_representation(Some(&format!(
            "{}/ResourceTypes/{}",
            req.base_url,
            def.name()
        ))),
    ))
}

pub(crate) fn schemas(service: &Service, req: &Request) -> Result<Response> {
    Ok(list(
        service
            .registry()
            .resource_schemas()
            .map(|s| s.to_representation(Some(&format!("{}/Schemas/{}", req.base_url, s.id()))))
            .collect(),
    ))
}

pub(crate) fn schema(service: &Service, req: &Request, id: &str) -> Result<Response> {
    let s = service
        .registry()
        .schema(id)
        .ok_or_else(|| ScimError::not_found(format!("no schema with id '{id}'")))?;
    Ok(Response::json(
        200,
        &s.to_representation(Some(&format!("{}/Schemas/{}", req.base_url, s.id()))),
    ))
}
