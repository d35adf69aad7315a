pub mod bridge;
pub mod npm;
pub mod upstream;
