//! Integration tests: fixture sites built end to end, with assertions on the output.
//! One binary (as mdBook does), one module per feature.

mod common;

mod accuracy;
mod browser;
mod build;
mod check_cli;
mod cli;
mod contrast;
mod copies;
mod corpus;
mod data_loss;
mod diagram;
mod export;
mod feeds;
mod grades;
mod hostile;
mod html_scan;
mod import;
mod incremental;
mod insights;
mod links;
mod output_safety;
mod pages;
mod previews;
mod reading;
mod search;
mod serve;
mod serve_load;
mod surprises;
