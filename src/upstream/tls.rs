//! Which certificates the upstream client trusts, and what to say when the server's is not
//! trusted (DESIGN §9).
//!
//! Trust is the OS store (the platform verifier) plus, additively, the PEM bundles named by
//! `--ca-file` / `THREEMINAPI_CA_FILE`, `SSL_CERT_FILE` and `SSL_CERT_DIR` — on every OS, since
//! only Linux's store reads the last two by itself. A bundle that cannot be used is an error
//! naming its path, never a silent fallback to the OS store alone.
//!
//! The verifier is the platform's, wrapped: when it refuses a certificate, the wrapper notes
//! who issued it, so the error can name the issuer (a TLS-inspecting proxy's CA, typically).

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::{PemObject, SectionKind};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// The environment variable naming an extra PEM bundle (what `--ca-file` gives on the command line).
pub const CA_FILE_ENV: &str = "THREEMINAPI_CA_FILE";
/// What to do when the server's certificate is not trusted.
pub const TRUST_HINT: &str = "if this network inspects TLS (a corporate proxy or antivirus), give its CA certificate: --ca-file PATH or THREEMINAPI_CA_FILE=PATH (a PEM file)";

/// A CA bundle that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("cannot use the CA bundle {} (from {origin}): {problem}", path.display())]
pub struct TrustError {
    pub path: PathBuf,
    /// Where the path came from: the flag or the environment variable.
    pub origin: &'static str,
    pub problem: String,
}

impl TrustError {
    pub fn hint(&self) -> String {
        format!(
            "point {} at a PEM file holding the CA certificate(s) (-----BEGIN CERTIFICATE-----), or unset it",
            self.origin
        )
    }
}

/// Why the last certificate was refused, and by whom it was issued.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// The issuer's name, e.g. `CN=Corp Inspection CA, O=Corp`.
    pub issuer: Option<String>,
    pub reason: CertificateError,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let issuer = self
            .issuer
            .as_deref()
            .unwrap_or("an issuer whose name could not be read");
        match &self.reason {
            CertificateError::UnknownIssuer => write!(
                f,
                "its certificate was issued by \"{issuer}\", which this machine does not trust"
            ),
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                write!(
                    f,
                    "its certificate (issued by \"{issuer}\") is not valid for this host name"
                )
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => write!(
                f,
                "its certificate (issued by \"{issuer}\") has expired (or this machine's clock is wrong)"
            ),
            other => write!(
                f,
                "its certificate (issued by \"{issuer}\") was refused: {other:?}"
            ),
        }
    }
}

/// Starts, on a thread of its own, what the first TLS handshake would otherwise do while the
/// connection waits: aws-lc seeds its random generator from CPU timing jitter the first time it is
/// used, ~20 ms of CPU that held the ClientHello back after the TCP handshake (profiled: it was
/// most of the bridge's lead over a warm client). Called as soon as a process knows it will
/// connect, it runs alongside the key lookup and the TCP handshake. Once per process.
pub fn warm_up() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = std::thread::Builder::new()
            .name("tls-warm-up".into())
            .spawn(|| {
                let provider = rustls::crypto::aws_lc_rs::default_provider();
                let _ = provider.secure_random.fill(&mut [0u8; 1]);
            });
    });
}

/// The certificates trusted beyond the OS store, and the last refusal seen.
#[derive(Clone, Default)]
pub struct Trust {
    roots: Vec<CertificateDer<'static>>,
    /// The bundles read, for doctor and the logs.
    pub sources: Vec<String>,
    last_refusal: Arc<Mutex<Option<Refusal>>>,
}

impl std::fmt::Debug for Trust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trust")
            .field("extra_roots", &self.roots.len())
            .field("sources", &self.sources)
            .finish()
    }
}

impl Trust {
    /// Reads `ca_file` (the flag), else `THREEMINAPI_CA_FILE`, plus `SSL_CERT_FILE` and
    /// `SSL_CERT_DIR`, from the process environment.
    pub fn load(ca_file: Option<&Path>) -> Result<Trust, TrustError> {
        Trust::load_with(ca_file, |name| std::env::var_os(name))
    }

    pub fn load_with(
        ca_file: Option<&Path>,
        env: impl Fn(&str) -> Option<OsString>,
    ) -> Result<Trust, TrustError> {
        let set = |name: &str| env(name).filter(|v| !v.is_empty());
        let mut trust = Trust::default();
        match (ca_file, set(CA_FILE_ENV)) {
            (Some(path), _) => trust.add_file(path, "--ca-file")?,
            (None, Some(path)) => trust.add_file(Path::new(&path), CA_FILE_ENV)?,
            (None, None) => {}
        }
        if let Some(path) = set("SSL_CERT_FILE") {
            trust.add_file(Path::new(&path), "SSL_CERT_FILE")?;
        }
        if let Some(dirs) = set("SSL_CERT_DIR") {
            for dir in std::env::split_paths(&dirs).filter(|d| !d.as_os_str().is_empty()) {
                trust.add_dir(&dir)?;
            }
        }
        Ok(trust)
    }

    fn add_file(&mut self, path: &Path, origin: &'static str) -> Result<(), TrustError> {
        let fail = |problem: String| TrustError {
            path: path.to_owned(),
            origin,
            problem,
        };
        if path.is_dir() {
            return Err(fail("it is a directory, not a file".into()));
        }
        let bytes = std::fs::read(path).map_err(|e| fail(format!("it cannot be read: {e}")))?;
        let certs = certificates(&bytes).map_err(fail)?;
        self.roots.extend(certs);
        self.sources.push(path.display().to_string());
        Ok(())
    }

    /// A directory of certificates, as OpenSSL reads it: every file holding one or more PEM
    /// certificates counts; others (CRLs, READMEs) are passed over.
    fn add_dir(&mut self, dir: &Path) -> Result<(), TrustError> {
        let fail = |problem: String| TrustError {
            path: dir.to_owned(),
            origin: "SSL_CERT_DIR",
            problem,
        };
        let entries =
            std::fs::read_dir(dir).map_err(|e| fail(format!("it cannot be listed: {e}")))?;
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
        paths.sort();
        for path in paths.iter().filter(|p| p.is_file()) {
            if let Ok(bytes) = std::fs::read(path)
                && let Ok(certs) = certificates(&bytes)
            {
                self.roots.extend(certs);
            }
        }
        self.sources.push(dir.display().to_string());
        Ok(())
    }

    /// How many certificates the bundles added.
    pub fn extra_roots(&self) -> usize {
        self.roots.len()
    }

    /// A reqwest client builder that trusts what this trust says, offers h2 then HTTP/1.1 by
    /// ALPN, and notes who issued a certificate it refuses.
    pub fn apply(&self, builder: reqwest::ClientBuilder) -> anyhow::Result<reqwest::ClientBuilder> {
        warm_up();
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let deferred = Arc::new(Deferred {
            provider: provider.clone(),
            roots: self.roots.clone(),
            built: OnceLock::new(),
        });
        let building = deferred.clone();
        // When the thread cannot start, the first handshake builds it.
        let _ = std::thread::Builder::new()
            .name("tls-roots".into())
            .spawn(move || {
                let _ = building.get();
            });
        let verifier = Noting {
            inner: deferred,
            last: self.last_refusal.clone(),
        };
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(builder.tls_backend_preconfigured(config))
    }

    /// When `e` failed on a refused certificate: why, and who issued it.
    pub fn refusal(&self, e: &(dyn std::error::Error + 'static)) -> Option<Refusal> {
        let reason = certificate_error(e)?;
        let noted = self.last_refusal.lock().ok()?.clone();
        Some(Refusal {
            issuer: noted.and_then(|n| n.issuer),
            reason,
        })
    }
}

/// The certificates of a PEM bundle, or why there are none.
fn certificates(bytes: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("it is empty".into());
    }
    let mut certs = Vec::new();
    let mut other = Vec::new();
    for section in <(SectionKind, Vec<u8>)>::pem_slice_iter(bytes) {
        match section {
            Ok((SectionKind::Certificate, der)) => certs.push(CertificateDer::from(der)),
            Ok((kind, _)) => other.push(kind),
            Err(e) => return Err(format!("it is not valid PEM ({e})")),
        }
    }
    if certs.is_empty() {
        let key = other.iter().any(|k| {
            matches!(
                k,
                SectionKind::PrivateKey | SectionKind::RsaPrivateKey | SectionKind::EcPrivateKey
            )
        });
        return Err(if key {
            "it holds a private key, not a certificate: give the CA's certificate".into()
        } else if other.is_empty() {
            "it holds no PEM certificate (a DER file? convert it: openssl x509 -inform der -in FILE -out FILE.pem)".into()
        } else {
            "it holds no certificate".into()
        });
    }
    for (i, cert) in certs.iter().enumerate() {
        if rustls::RootCertStore::empty().add(cert.clone()).is_err() {
            return Err(format!(
                "certificate {} of {} is not a valid X.509 certificate",
                i + 1,
                certs.len()
            ));
        }
    }
    Ok(certs)
}

/// The certificate error somewhere in `e`'s chain. rustls's error travels inside an io::Error
/// (twice, on the way through tokio-rustls and hyper), whose `source` skips what it wraps: look
/// inside each io::Error too.
fn certificate_error(e: &(dyn std::error::Error + 'static)) -> Option<CertificateError> {
    let mut next = Some(e);
    while let Some(err) = next {
        let mut candidate = Some(err);
        while let Some(c) = candidate {
            if let Some(rustls::Error::InvalidCertificate(reason)) =
                c.downcast_ref::<rustls::Error>()
            {
                return Some(reason.clone());
            }
            candidate = c
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .map(|inner| inner as &(dyn std::error::Error + 'static));
        }
        next = err.source();
    }
    None
}

/// The platform verifier, noting the issuer of each certificate it refuses.
#[derive(Debug)]
struct Noting {
    inner: Arc<Deferred>,
    last: Arc<Mutex<Option<Refusal>>>,
}

/// The platform verifier, built on a thread of its own. Built, it holds the OS store: on Linux
/// that is reading and parsing every file of /etc/ssl/certs (~5 ms, and profiled on the path
/// from spawn to the first result), which is first needed when the server's certificate
/// arrives, after the TCP handshake and one more round trip. The ClientHello needs only the
/// signature schemes, which come from the crypto provider.
#[derive(Debug)]
struct Deferred {
    provider: Arc<rustls::crypto::CryptoProvider>,
    roots: Vec<CertificateDer<'static>>,
    built: OnceLock<Result<rustls_platform_verifier::Verifier, String>>,
}

impl Deferred {
    /// The verifier, built here unless another thread has built it or is building it (then
    /// this waits for it).
    fn get(&self) -> Result<&rustls_platform_verifier::Verifier, rustls::Error> {
        let built = self.built.get_or_init(|| {
            let provider = self.provider.clone();
            let verifier = if self.roots.is_empty() {
                rustls_platform_verifier::Verifier::new(provider)
            } else {
                rustls_platform_verifier::Verifier::new_with_extra_roots(
                    self.roots.iter().cloned(),
                    provider,
                )
            };
            verifier.map_err(|e| format!("the OS certificate store could not be loaded: {e}"))
        });
        built
            .as_ref()
            .map_err(|e| rustls::Error::General(e.clone()))
    }
}

impl ServerCertVerifier for Noting {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verdict = self.inner.get()?.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        );
        if let Err(rustls::Error::InvalidCertificate(reason)) = &verdict {
            // The chain's top: the certificate whose issuer nobody here vouches for.
            let top = intermediates.last().unwrap_or(end_entity);
            let refusal = Refusal {
                issuer: super::x509::issuer(top),
                reason: reason.clone(),
            };
            if let Ok(mut last) = self.last.lock() {
                *last = Some(refusal);
            }
        }
        verdict
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.get()?.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.get()?.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        // What the platform verifier answers on every OS, without waiting for the store.
        self.inner
            .provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.into())
    }

    #[test]
    fn unusable_bundles_are_errors_naming_the_path_and_the_origin() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "").unwrap();
        let key = dir.path().join("key.pem");
        std::fs::write(
            &key,
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        )
        .unwrap();
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "not a certificate\n").unwrap();
        let missing = dir.path().join("missing.pem");
        let cases: [(&Path, &str); 5] = [
            (&empty, "empty"),
            (&key, "private key"),
            (&text, "no PEM certificate"),
            (&missing, "cannot be read"),
            (dir.path(), "directory"),
        ];
        for (path, problem) in cases {
            let e = Trust::load_with(Some(path), env(&[])).unwrap_err();
            assert_eq!(e.path, path);
            assert_eq!(e.origin, "--ca-file");
            assert!(e.to_string().contains(problem), "{e}");
            assert!(e.to_string().contains(&*path.to_string_lossy()), "{e}");
            let e =
                Trust::load_with(None, env(&[(CA_FILE_ENV, path.to_str().unwrap())])).unwrap_err();
            assert_eq!(e.origin, CA_FILE_ENV);
            let e = Trust::load_with(None, env(&[("SSL_CERT_FILE", path.to_str().unwrap())]))
                .unwrap_err();
            assert_eq!(e.origin, "SSL_CERT_FILE");
        }
        let e = Trust::load_with(None, env(&[("SSL_CERT_DIR", missing.to_str().unwrap())]))
            .unwrap_err();
        assert_eq!(e.origin, "SSL_CERT_DIR");
    }

    #[test]
    fn nothing_set_adds_nothing() {
        let trust = Trust::load_with(None, env(&[("SSL_CERT_FILE", "")])).unwrap();
        assert_eq!(trust.extra_roots(), 0);
        assert!(trust.sources.is_empty());
    }
}
