// Requests allocate many small, short-lived strings and rows across threads:
// mimalloc's thread-local free lists serve them with less locking than glibc.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    chibo_server::cli::main()
}
