//! A certificate authority made for one test, and the TLS server config of an upstream whose
//! certificate it issued (for `localhost` and `127.0.0.1`).
#![allow(dead_code)]

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_rustls::rustls;

pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
    server_chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    server_key: Vec<u8>,
}

/// The issuer name doctor and the errors must show for a CA named `name`.
pub fn issuer_name(name: &str) -> String {
    format!("CN={name}, O=3minapi tests")
}

impl TestCa {
    /// A CA whose certificate says `CN=<name>, O=3minapi tests`, and a server certificate it issued.
    pub fn new(name: &str) -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::OrganizationName, "3minapi tests");
        params.distinguished_name.push(DnType::CommonName, name);
        let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        let server_key = KeyPair::generate().unwrap();
        let mut server =
            CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
        server
            .distinguished_name
            .push(DnType::CommonName, "fake upstream");
        let cert = server.signed_by(&server_key, &issuer).unwrap();
        TestCa {
            server_chain: vec![cert.der().clone()],
            server_key: server_key.serialize_der(),
            issuer,
        }
    }

    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    /// Writes the CA certificate as `<dir>/<file>` and returns its path.
    pub fn write_pem(&self, dir: &Path, file: &str) -> PathBuf {
        let path = dir.join(file);
        std::fs::write(&path, self.pem()).unwrap();
        path
    }

    /// A TLS 1.3/1.2 server config offering `alpn` (e.g. `[b"h2", b"http/1.1"]`, or only
    /// `http/1.1` for an upstream without HTTP/2).
    pub fn server_config(&self, alpn: &[&[u8]]) -> Arc<rustls::ServerConfig> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(self.server_key.clone().into());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(self.server_chain.clone(), key)
            .unwrap();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        Arc::new(config)
    }
}
