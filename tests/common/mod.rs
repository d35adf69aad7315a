pub mod bridge;
pub mod upstream;
