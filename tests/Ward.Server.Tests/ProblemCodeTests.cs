using System.Reflection;
using Ward.Deploying;
using Ward.Deploying.Databases;
using Ward.Server.Api;

namespace Ward.Server.Tests;

/// <summary>The API's problem codes are one list: the codes the deploy core and the databases' core give are in it too.</summary>
public sealed class ProblemCodeTests
{
    [Theory]
    [InlineData(typeof(DeployRequestCodes))]
    [InlineData(typeof(DatabaseRequestCodes))]
    [InlineData(typeof(DatabaseFailureCodes))]
    public void Every_code_of_the_core_is_an_api_problem_code(Type codesOfTheCore)
    {
        var codes = codesOfTheCore.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.NotEmpty(codes);
        Assert.All(codes, code => Assert.Contains(code, ProblemCodes.All));
    }
}
