import CubeCLI

@main
enum Entrypoint {
    static func main() { ConvertCommand.main() }
}
