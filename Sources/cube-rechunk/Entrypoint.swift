import CubeCLI

@main
enum Entrypoint {
    static func main() { RechunkCommand.main() }
}
