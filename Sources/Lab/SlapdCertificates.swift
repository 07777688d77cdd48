import Foundation

/// Makes a throwaway CA and a server certificate for 127.0.0.1/localhost with `openssl`.
///
/// For the lab and the TLS tests only: keys are unencrypted and valid for two days.
public enum SlapdCertificates {
    public static func make(in directory: String, openssl: String = "/usr/bin/openssl") throws -> SlapdTLSFiles {
        let ca = directory + "/ca.pem", caKey = directory + "/ca.key"
        let cert = directory + "/server.pem", key = directory + "/server.key"
        let csr = directory + "/server.csr", ext = directory + "/server.ext"
        try """
            subjectAltName=IP:127.0.0.1,DNS:localhost
            basicConstraints=critical,CA:FALSE
            keyUsage=critical,digitalSignature,keyEncipherment
            extendedKeyUsage=serverAuth

            """.write(toFile: ext, atomically: true, encoding: .utf8)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try SlapdProcess.run(openssl, ["req", "-x509"] + ec + [
            "-keyout", caKey, "-out", ca, "-days", "2", "-subj", "/CN=mailshift test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
        try SlapdProcess.run(openssl, ["req"] + ec + ["-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1"])
        try SlapdProcess.run(openssl, [
            "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", caKey, "-CAcreateserial", "-out", cert,
            "-days", "2", "-extfile", ext,
        ])
        return SlapdTLSFiles(caFile: ca, certificateFile: cert, keyFile: key)
    }
}
