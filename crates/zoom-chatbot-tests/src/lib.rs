//! The integration tests (`tests/`) and benchmarks (`benches/`) of `zoom-chatbot`. They live
//! in this crate so that their dependencies (a WebDriver client, property testing, scripted
//! HTTP, Redis) are not built with the examples a user runs first.
