fn main() -> std::process::ExitCode {
    chibo_server::cli::main()
}
