//! The registry's HTTP edge: the JSON API under `/api/v1` with its OpenAPI
//! document (`api`), and the server-rendered pages (`pages`). Both parse a
//! request, call one use case and render its answer; neither holds a rule
//! or writes a table. Nothing else in the registry imports this module.

pub mod api;
pub mod pages;
