pub mod bridge;
pub mod keyring;
pub mod npm;
pub mod upstream;
