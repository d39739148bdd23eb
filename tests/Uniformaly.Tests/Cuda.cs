using NUnit.Framework;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests;

/// <summary>
/// Tests of the CUDA path, and of the errors without CUDA, each run only on the machine kind it is
/// about and reported as Ignored (with the reason) on the other, never as Passed without running.
/// </summary>
public static class Cuda
{
    public static void Require()
    {
        if (!TorchRuntime.CudaIsAvailable) Assert.Ignore("needs CUDA: runs where libtorch sees a GPU");
    }

    public static void RequireAbsent()
    {
        if (TorchRuntime.CudaIsAvailable) Assert.Ignore("checks the error without CUDA: this machine has CUDA");
    }
}
