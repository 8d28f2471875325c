//! Shaping between the agent's arguments/results and Atlassian's requests/responses.
pub mod adf;
pub mod request;
pub mod response;
pub mod storage;
