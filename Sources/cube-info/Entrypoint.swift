import CubeCLI

@main
enum Entrypoint {
    static func main() { InfoCommand.main() }
}
