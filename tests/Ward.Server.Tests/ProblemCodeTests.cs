using System.Reflection;
using Ward.Deploying;
using Ward.Server.Api;

namespace Ward.Server.Tests;

/// <summary>The API's problem codes are one list: the codes the deploy core gives bad requests are in it too.</summary>
public sealed class ProblemCodeTests
{
    [Fact]
    public void Every_code_of_a_deploy_request_is_an_api_problem_code()
    {
        var codes = typeof(DeployRequestCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.NotEmpty(codes);
        Assert.All(codes, code => Assert.Contains(code, ProblemCodes.All));
    }
}
