import CubeCLI

@main
enum Entrypoint {
    static func main() { ConsolidateCommand.main() }
}
