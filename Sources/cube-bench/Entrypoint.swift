import CubeCLI

@main
enum Entrypoint {
    static func main() { BenchCommand.main() }
}
