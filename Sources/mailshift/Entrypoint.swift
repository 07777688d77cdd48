import MailshiftCLI

@main
enum Entrypoint {
    static func main() async {
        await Mailshift.main()
    }
}
