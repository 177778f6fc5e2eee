namespace Ward.Server.Tests.Support;

/// <summary>Environment files for the tests: small, valid, staging (so applies are not held back by the readiness gate).</summary>
internal static class Environments
{
    /// <summary>A web service with a secret Ward holds (token) and, optionally, one read from a file in the server's files folder.</summary>
    public static string File(string name, bool fileSecret = false, string image = "registry.example.org/web:1.0") => $$"""
        version: "3.9"
        x-ward:
          environment: { name: {{name}}, kind: staging }
          nodes:
            - { name: manager-1, role: manager, size: medium }
            - { name: worker-1, role: worker, size: large }
        services:
          web:
            image: {{image}}
            secrets: [ token{{(fileSecret ? ", certificate" : "")}} ]
            deploy:
              placement: { constraints: [ "node.role != manager" ] }
        secrets:
          token: {}
        {{(fileSecret ? "  certificate: { file: ./secrets/certificate.txt }" : "")}}
        """;
}
