// The synthetic CIFAR-10 / CIFAR-100 binary releases that SemanticRunTests writes (SyntheticSemantic),
// for tools/make_run_fixtures.py:  dotnet run tools/write_cifar_standins.cs -- OUT cifar10|cifar100 TRAIN_PER_CLASS TEST_PER_CLASS
#:project ../Uniformaly.Research/Uniformaly.Research.csproj
using System.Globalization;
using Uniformaly.Research.Data.Synthetic;

SyntheticSemantic.WriteCifar(args[0], args[1] == "cifar100", int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture));
