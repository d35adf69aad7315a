fn main() -> std::process::ExitCode {
    threeminapi::run(std::env::args_os())
}
