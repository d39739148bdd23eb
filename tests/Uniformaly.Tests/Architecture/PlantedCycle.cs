// Two namespaces that use each other on purpose: NamespaceCycleTests checks that the scan of the
// compiled assembly finds this cycle, so a test that finds none in the toolkit can fail.
namespace Uniformaly.Tests.Architecture.Planted.Alpha
{
    public sealed class First
    {
        public static int Twice(int value) => Beta.Second.Add(value, value);
    }
}

namespace Uniformaly.Tests.Architecture.Planted.Beta
{
    public static class Second
    {
        public static int Add(int a, int b) => a + b;

        public static Alpha.First? Unused => null;
    }
}
