//! Shaping between the agent's arguments/results and Atlassian's requests/responses.
pub mod request;
