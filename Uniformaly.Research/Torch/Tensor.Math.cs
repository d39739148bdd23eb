namespace Uniformaly.Research.Torch;

/// <summary>Elementwise arithmetic with broadcasting, comparisons, selection, linear algebra.</summary>
public sealed partial class Tensor
{
    // Scalars keep integer tensors integral when they are whole numbers given as long.
    private delegate TensorHandle ScalarOp(TensorHandle a, double s, int integral);

    private Tensor WithScalar(ScalarOp op, double s) => Wrap(op(Handle, s, 0));

    private Tensor WithScalar(ScalarOp op, long s) => Wrap(op(Handle, s, 1));

    public Tensor Neg() => Wrap(Native.ufm_neg(Handle));
    public Tensor Abs() => Wrap(Native.ufm_abs(Handle));
    public Tensor Sqrt() => Wrap(Native.ufm_sqrt(Handle));
    public Tensor Rsqrt() => Wrap(Native.ufm_rsqrt(Handle));
    public Tensor Exp() => Wrap(Native.ufm_exp(Handle));
    public Tensor Log() => Wrap(Native.ufm_log(Handle));
    public Tensor Erf() => Wrap(Native.ufm_erf(Handle));
    public Tensor Tanh() => Wrap(Native.ufm_tanh(Handle));
    public Tensor Sigmoid() => Wrap(Native.ufm_sigmoid(Handle));

    /// <summary>SiLU, x * sigmoid(x), as F.silu computes it.</summary>
    public Tensor Silu() => Wrap(Native.ufm_silu(Handle));
    public Tensor Sin() => Wrap(Native.ufm_sin(Handle));
    public Tensor Cos() => Wrap(Native.ufm_cos(Handle));
    public Tensor Relu() => Wrap(Native.ufm_relu(Handle));
    public Tensor Floor() => Wrap(Native.ufm_floor(Handle));
    public Tensor Ceil() => Wrap(Native.ufm_ceil(Handle));
    /// <summary>Rounds half to even, like torch.round.</summary>
    public Tensor Round() => Wrap(Native.ufm_round(Handle));
    public Tensor LogicalNot() => Wrap(Native.ufm_logical_not(Handle));
    public Tensor IsNan() => Wrap(Native.ufm_isnan(Handle));

    public Tensor Add(Tensor other) => Wrap(Native.ufm_add(Handle, other.Handle));
    public Tensor Sub(Tensor other) => Wrap(Native.ufm_sub(Handle, other.Handle));
    public Tensor Mul(Tensor other) => Wrap(Native.ufm_mul(Handle, other.Handle));
    /// <summary>True division (integers give floats), like torch.div.</summary>
    public Tensor Div(Tensor other) => Wrap(Native.ufm_div(Handle, other.Handle));
    public Tensor Pow(Tensor exponent) => Wrap(Native.ufm_pow(Handle, exponent.Handle));
    public Tensor Maximum(Tensor other) => Wrap(Native.ufm_maximum(Handle, other.Handle));
    public Tensor Minimum(Tensor other) => Wrap(Native.ufm_minimum(Handle, other.Handle));
    public Tensor Remainder(Tensor other) => Wrap(Native.ufm_remainder(Handle, other.Handle));
    public Tensor Eq(Tensor other) => Wrap(Native.ufm_eq(Handle, other.Handle));
    public Tensor Ne(Tensor other) => Wrap(Native.ufm_ne(Handle, other.Handle));
    public Tensor Lt(Tensor other) => Wrap(Native.ufm_lt(Handle, other.Handle));
    public Tensor Le(Tensor other) => Wrap(Native.ufm_le(Handle, other.Handle));
    public Tensor Gt(Tensor other) => Wrap(Native.ufm_gt(Handle, other.Handle));
    public Tensor Ge(Tensor other) => Wrap(Native.ufm_ge(Handle, other.Handle));
    public Tensor LogicalAnd(Tensor other) => Wrap(Native.ufm_logical_and(Handle, other.Handle));
    public Tensor LogicalOr(Tensor other) => Wrap(Native.ufm_logical_or(Handle, other.Handle));

    public Tensor Add(double s) => WithScalar(Native.ufm_add_scalar, s);
    public Tensor Add(long s) => WithScalar(Native.ufm_add_scalar, s);
    public Tensor Sub(double s) => WithScalar(Native.ufm_sub_scalar, s);
    public Tensor Sub(long s) => WithScalar(Native.ufm_sub_scalar, s);
    public Tensor Mul(double s) => WithScalar(Native.ufm_mul_scalar, s);
    public Tensor Mul(long s) => WithScalar(Native.ufm_mul_scalar, s);
    public Tensor Div(double s) => WithScalar(Native.ufm_div_scalar, s);
    public Tensor Pow(double exponent) => WithScalar(Native.ufm_pow_scalar, exponent);
    public Tensor Remainder(long s) => WithScalar(Native.ufm_remainder_scalar, s);
    public Tensor Eq(double s) => WithScalar(Native.ufm_eq_scalar, s);
    public Tensor Ne(double s) => WithScalar(Native.ufm_ne_scalar, s);
    public Tensor Lt(double s) => WithScalar(Native.ufm_lt_scalar, s);
    public Tensor Le(double s) => WithScalar(Native.ufm_le_scalar, s);
    public Tensor Gt(double s) => WithScalar(Native.ufm_gt_scalar, s);
    public Tensor Ge(double s) => WithScalar(Native.ufm_ge_scalar, s);

    /// <summary>Clamps to [min, max]; either bound may be omitted.</summary>
    public Tensor Clamp(double? min = null, double? max = null) =>
        Wrap(Native.ufm_clamp(Handle, min ?? double.NaN, max ?? double.NaN));

    /// <summary>Elementwise <c>condition ? a : b</c> (broadcasting).</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b) =>
        Wrap(Native.ufm_where(condition.Handle, a.Handle, b.Handle));

    public Tensor MaskedFill(Tensor mask, double value) => Wrap(Native.ufm_masked_fill(Handle, mask.Handle, value));

    public Tensor MatMul(Tensor other) => Wrap(Native.ufm_matmul(Handle, other.Handle));
    public Tensor Mm(Tensor other) => Wrap(Native.ufm_mm(Handle, other.Handle));
    public Tensor Bmm(Tensor other) => Wrap(Native.ufm_bmm(Handle, other.Handle));

    /// <summary>beta * input + alpha * (m1 @ m2), in one BLAS call.</summary>
    public static Tensor AddMm(Tensor input, Tensor m1, Tensor m2, double beta = 1, double alpha = 1) =>
        Wrap(Native.ufm_addmm(input.Handle, m1.Handle, m2.Handle, beta, alpha));

    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    public static Tensor operator -(Tensor a) => a.Neg();
    public static Tensor operator +(Tensor a, double s) => a.Add(s);
    public static Tensor operator -(Tensor a, double s) => a.Sub(s);
    public static Tensor operator *(Tensor a, double s) => a.Mul(s);
    public static Tensor operator /(Tensor a, double s) => a.Div(s);
    public static Tensor operator +(double s, Tensor a) => a.Add(s);
    public static Tensor operator *(double s, Tensor a) => a.Mul(s);
    public static Tensor operator -(double s, Tensor a) => Wrap(Native.ufm_rsub_scalar(a.Handle, s, 0));
    public static Tensor operator /(double s, Tensor a) => Wrap(Native.ufm_rdiv_scalar(a.Handle, s, 0));
    public static Tensor operator <(Tensor a, Tensor b) => a.Lt(b);
    public static Tensor operator >(Tensor a, Tensor b) => a.Gt(b);
    public static Tensor operator <=(Tensor a, Tensor b) => a.Le(b);
    public static Tensor operator >=(Tensor a, Tensor b) => a.Ge(b);
    public static Tensor operator <(Tensor a, double s) => a.Lt(s);
    public static Tensor operator >(Tensor a, double s) => a.Gt(s);
    public static Tensor operator <=(Tensor a, double s) => a.Le(s);
    public static Tensor operator >=(Tensor a, double s) => a.Ge(s);
    public static Tensor operator &(Tensor a, Tensor b) => a.LogicalAnd(b);
    public static Tensor operator |(Tensor a, Tensor b) => a.LogicalOr(b);
    public static Tensor operator !(Tensor a) => a.LogicalNot();
}
