using System.Runtime.InteropServices;

namespace Uniformaly.Research.Torch;

/// <summary>The C ABI of native/ (libuniformaly_native.so). Every function is guarded natively:
/// failures return null / -1 and leave a message for <see cref="ufm_last_error"/>.</summary>
internal static unsafe class Native
{
    private const string Lib = "uniformaly_native";

    // runtime
    [DllImport(Lib)] internal static extern IntPtr ufm_last_error();
    [DllImport(Lib)] internal static extern void ufm_free(IntPtr t);
    [DllImport(Lib)] internal static extern IntPtr ufm_torch_version();
    [DllImport(Lib)] internal static extern void ufm_set_grad_enabled(int enabled);
    [DllImport(Lib)] internal static extern int ufm_get_grad_enabled();
    [DllImport(Lib)] internal static extern int ufm_set_num_threads(int n);
    [DllImport(Lib)] internal static extern int ufm_get_num_threads();
    [DllImport(Lib)] internal static extern int ufm_manual_seed(ulong seed);
    [DllImport(Lib)] internal static extern int ufm_cuda_is_available();
    [DllImport(Lib)] internal static extern int ufm_cuda_device_count();
    [DllImport(Lib)] internal static extern int ufm_cuda_synchronize(int index);
    [DllImport(Lib)] internal static extern int ufm_stream_synchronize(int dev, int idx);
    [DllImport(Lib)] internal static extern int ufm_disallow_bf16_reduced_precision_reduction();
    [DllImport(Lib)] internal static extern int ufm_disallow_tf32();
    [DllImport(Lib)] internal static extern int ufm_cuda_mem_info(int index, out long freeBytes, out long totalBytes);
    [DllImport(Lib)] internal static extern int ufm_onednn_gemm_available();
    [DllImport(Lib)] internal static extern void ufm_set_onednn_gemm(int enabled);
    [DllImport(Lib)] internal static extern int ufm_get_onednn_gemm();

    // creation and data
    [DllImport(Lib)] internal static extern TensorHandle ufm_from_host(void* data, long nbytes, long* sizes, int ndim, int dtype);
    [DllImport(Lib)] internal static extern TensorHandle ufm_empty(long* sizes, int ndim, int dtype, int dev, int idx);
    [DllImport(Lib)] internal static extern TensorHandle ufm_full(long* sizes, int ndim, double value, int dtype, int dev, int idx);
    [DllImport(Lib)] internal static extern TensorHandle ufm_arange(double start, double end, double step, int dtype, int dev, int idx);
    [DllImport(Lib)] internal static extern TensorHandle ufm_rand(long* sizes, int ndim, int dtype, int dev, int idx);
    [DllImport(Lib)] internal static extern TensorHandle ufm_randn(long* sizes, int ndim, int dtype, int dev, int idx);
    [DllImport(Lib)] internal static extern TensorHandle ufm_randperm(long n, int dtype, int dev, int idx);
    [DllImport(Lib)] internal static extern TensorHandle ufm_randint(long low, long high, long* sizes, int ndim, int dtype, int dev, int idx);
    [DllImport(Lib)] internal static extern int ufm_to_host(TensorHandle t, void* dst, long nbytes);
    [DllImport(Lib)] internal static extern void* ufm_data_ptr(TensorHandle t);
    [DllImport(Lib)] internal static extern int ufm_item_double(TensorHandle t, out double value);
    [DllImport(Lib)] internal static extern int ufm_item_long(TensorHandle t, out long value);

    // queries and conversion
    [DllImport(Lib)] internal static extern int ufm_ndim(TensorHandle t);
    [DllImport(Lib)] internal static extern void ufm_sizes(TensorHandle t, long* sizes);
    [DllImport(Lib)] internal static extern void ufm_strides(TensorHandle t, long* strides);
    [DllImport(Lib)] internal static extern int ufm_dtype(TensorHandle t);
    [DllImport(Lib)] internal static extern int ufm_device_type(TensorHandle t);
    [DllImport(Lib)] internal static extern int ufm_device_index(TensorHandle t);
    [DllImport(Lib)] internal static extern int ufm_is_contiguous(TensorHandle t);
    [DllImport(Lib)] internal static extern int ufm_requires_grad(TensorHandle t);
    [DllImport(Lib)] internal static extern TensorHandle ufm_to(TensorHandle t, int dev, int idx, int dtype, int nonBlocking);
    [DllImport(Lib)] internal static extern TensorHandle ufm_pin_memory(TensorHandle t);
    [DllImport(Lib)] internal static extern int ufm_is_pinned(TensorHandle t);
    [DllImport(Lib)] internal static extern IntPtr ufm_copy_start(TensorHandle src, int dev, int idx);
    [DllImport(Lib)] internal static extern TensorHandle ufm_copy_finish(IntPtr copy);
    [DllImport(Lib)] internal static extern void ufm_copy_free(IntPtr copy);
    [DllImport(Lib)] internal static extern TensorHandle ufm_clone(TensorHandle t);
    [DllImport(Lib)] internal static extern TensorHandle ufm_contiguous(TensorHandle t);
    [DllImport(Lib)] internal static extern TensorHandle ufm_alias(TensorHandle t);

    // elementwise
    [DllImport(Lib)] internal static extern TensorHandle ufm_neg(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle ufm_abs(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle ufm_sqrt(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle ufm_rsqrt(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle ufm_exp(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle ufm_log(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle ufm_erf(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle ufm_tanh(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle ufm_sigmoid(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle ufm_silu(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle ufm_sin(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle ufm_cos(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle ufm_relu(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle ufm_floor(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle ufm_ceil(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle ufm_round(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle ufm_logical_not(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle ufm_isnan(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle ufm_add(TensorHandle a, TensorHandle b);
    [DllImport(Lib)] internal static extern TensorHandle ufm_sub(TensorHandle a, TensorHandle b);
    [DllImport(Lib)] internal static extern TensorHandle ufm_mul(TensorHandle a, TensorHandle b);
    [DllImport(Lib)] internal static extern TensorHandle ufm_div(TensorHandle a, TensorHandle b);
    [DllImport(Lib)] internal static extern TensorHandle ufm_pow(TensorHandle a, TensorHandle b);
    [DllImport(Lib)] internal static extern TensorHandle ufm_maximum(TensorHandle a, TensorHandle b);
    [DllImport(Lib)] internal static extern TensorHandle ufm_minimum(TensorHandle a, TensorHandle b);
    [DllImport(Lib)] internal static extern TensorHandle ufm_remainder(TensorHandle a, TensorHandle b);
    [DllImport(Lib)] internal static extern TensorHandle ufm_eq(TensorHandle a, TensorHandle b);
    [DllImport(Lib)] internal static extern TensorHandle ufm_ne(TensorHandle a, TensorHandle b);
    [DllImport(Lib)] internal static extern TensorHandle ufm_lt(TensorHandle a, TensorHandle b);
    [DllImport(Lib)] internal static extern TensorHandle ufm_le(TensorHandle a, TensorHandle b);
    [DllImport(Lib)] internal static extern TensorHandle ufm_gt(TensorHandle a, TensorHandle b);
    [DllImport(Lib)] internal static extern TensorHandle ufm_ge(TensorHandle a, TensorHandle b);
    [DllImport(Lib)] internal static extern TensorHandle ufm_logical_and(TensorHandle a, TensorHandle b);
    [DllImport(Lib)] internal static extern TensorHandle ufm_logical_or(TensorHandle a, TensorHandle b);
    [DllImport(Lib)] internal static extern TensorHandle ufm_add_scalar(TensorHandle a, double s, int integral);
    [DllImport(Lib)] internal static extern TensorHandle ufm_sub_scalar(TensorHandle a, double s, int integral);
    [DllImport(Lib)] internal static extern TensorHandle ufm_mul_scalar(TensorHandle a, double s, int integral);
    [DllImport(Lib)] internal static extern TensorHandle ufm_div_scalar(TensorHandle a, double s, int integral);
    [DllImport(Lib)] internal static extern TensorHandle ufm_pow_scalar(TensorHandle a, double s, int integral);
    [DllImport(Lib)] internal static extern TensorHandle ufm_remainder_scalar(TensorHandle a, double s, int integral);
    [DllImport(Lib)] internal static extern TensorHandle ufm_eq_scalar(TensorHandle a, double s, int integral);
    [DllImport(Lib)] internal static extern TensorHandle ufm_ne_scalar(TensorHandle a, double s, int integral);
    [DllImport(Lib)] internal static extern TensorHandle ufm_lt_scalar(TensorHandle a, double s, int integral);
    [DllImport(Lib)] internal static extern TensorHandle ufm_le_scalar(TensorHandle a, double s, int integral);
    [DllImport(Lib)] internal static extern TensorHandle ufm_gt_scalar(TensorHandle a, double s, int integral);
    [DllImport(Lib)] internal static extern TensorHandle ufm_ge_scalar(TensorHandle a, double s, int integral);
    [DllImport(Lib)] internal static extern TensorHandle ufm_rsub_scalar(TensorHandle a, double s, int integral);
    [DllImport(Lib)] internal static extern TensorHandle ufm_rdiv_scalar(TensorHandle a, double s, int integral);
    [DllImport(Lib)] internal static extern TensorHandle ufm_clamp(TensorHandle a, double lo, double hi);
    [DllImport(Lib)] internal static extern TensorHandle ufm_where(TensorHandle cond, TensorHandle a, TensorHandle b);
    [DllImport(Lib)] internal static extern TensorHandle ufm_masked_fill(TensorHandle a, TensorHandle mask, double value);

    // linear algebra
    [DllImport(Lib)] internal static extern TensorHandle ufm_matmul(TensorHandle a, TensorHandle b);
    [DllImport(Lib)] internal static extern TensorHandle ufm_mm(TensorHandle a, TensorHandle b);
    [DllImport(Lib)] internal static extern TensorHandle ufm_bmm(TensorHandle a, TensorHandle b);
    [DllImport(Lib)] internal static extern TensorHandle ufm_addmm(TensorHandle input, TensorHandle m1, TensorHandle m2, double beta, double alpha);

    // reductions
    [DllImport(Lib)] internal static extern TensorHandle ufm_sum_all(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle ufm_mean_all(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle ufm_max_all(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle ufm_min_all(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle ufm_sum(TensorHandle a, long* dims, int n, int keepdim);
    [DllImport(Lib)] internal static extern TensorHandle ufm_mean(TensorHandle a, long* dims, int n, int keepdim);
    [DllImport(Lib)] internal static extern TensorHandle ufm_cumsum(TensorHandle a, long dim);
    [DllImport(Lib)] internal static extern TensorHandle ufm_argmax(TensorHandle a, long dim, int keepdim);
    [DllImport(Lib)] internal static extern TensorHandle ufm_argmin(TensorHandle a, long dim, int keepdim);
    [DllImport(Lib)] internal static extern int ufm_max_dim(TensorHandle a, long dim, int keepdim, out TensorHandle values, out TensorHandle indices);
    [DllImport(Lib)] internal static extern int ufm_min_dim(TensorHandle a, long dim, int keepdim, out TensorHandle values, out TensorHandle indices);
    [DllImport(Lib)] internal static extern int ufm_topk(TensorHandle a, long k, long dim, int largest, int sorted, out TensorHandle values, out TensorHandle indices);
    [DllImport(Lib)] internal static extern int ufm_update_smallest(TensorHandle block, long first, TensorHandle values, TensorHandle indices);
    [DllImport(Lib)] internal static extern int ufm_sort(TensorHandle a, long dim, int descending, int stable, out TensorHandle values, out TensorHandle indices);

    // certified kNN kernels (ops_knn.cpp)
    [DllImport(Lib)] internal static extern int ufm_bf16_ranking_available();
    [DllImport(Lib)] internal static extern TensorHandle ufm_bf16_ranking_panels(TensorHandle augmented);
    [DllImport(Lib)] internal static extern int ufm_bf16_ranking_smallest(TensorHandle panels, long bankRows, TensorHandle queries, long k, out TensorHandle values, out TensorHandle rows, out TensorHandle rounding);
    [DllImport(Lib)] internal static extern int ufm_nearest_candidates(TensorHandle bank, TensorHandle queries, TensorHandle candidates, long n, out TensorHandle distances, out TensorHandle rows);

    // coreset and memory bandwidth (ops_coreset.cpp)
    [DllImport(Lib)] internal static extern int ufm_coreset_kernels_available();
    [DllImport(Lib)] internal static extern TensorHandle ufm_coreset_project(TensorHandle rows, TensorHandle projection);
    [DllImport(Lib)] internal static extern int ufm_coreset_pack(TensorHandle blocked, long first, TensorHandle rows);
    [DllImport(Lib)] internal static extern int ufm_coreset_start(TensorHandle blocked, long rows, TensorHandle starts, TensorHandle norms, TensorHandle distances);
    [DllImport(Lib)] internal static extern int ufm_coreset_greedy(TensorHandle blocked, TensorHandle norms, TensorHandle distances, TensorHandle selected, long first, long count);
    [DllImport(Lib)] internal static extern int ufm_memory_bandwidth(long bytes, int repeats, out double readGbs, out double triadGbs);

    // shape and indexing
    [DllImport(Lib)] internal static extern TensorHandle ufm_reshape(TensorHandle a, long* sizes, int n);
    [DllImport(Lib)] internal static extern TensorHandle ufm_view(TensorHandle a, long* sizes, int n);
    [DllImport(Lib)] internal static extern TensorHandle ufm_expand(TensorHandle a, long* sizes, int n);
    [DllImport(Lib)] internal static extern TensorHandle ufm_permute(TensorHandle a, long* dims, int n);
    [DllImport(Lib)] internal static extern TensorHandle ufm_transpose(TensorHandle a, long d0, long d1);
    [DllImport(Lib)] internal static extern TensorHandle ufm_squeeze(TensorHandle a, long dim);
    [DllImport(Lib)] internal static extern TensorHandle ufm_unsqueeze(TensorHandle a, long dim);
    [DllImport(Lib)] internal static extern TensorHandle ufm_flatten(TensorHandle a, long start, long end);
    [DllImport(Lib)] internal static extern TensorHandle ufm_cat(IntPtr* items, int count, long dim);
    [DllImport(Lib)] internal static extern TensorHandle ufm_stack(IntPtr* items, int count, long dim);
    [DllImport(Lib)] internal static extern TensorHandle ufm_as_strided(TensorHandle a, long* sizes, long* strides, int n, long storageOffset);
    [DllImport(Lib)] internal static extern TensorHandle ufm_narrow(TensorHandle a, long dim, long start, long length);
    [DllImport(Lib)] internal static extern TensorHandle ufm_slice(TensorHandle a, long dim, long start, long end, long step);
    [DllImport(Lib)] internal static extern TensorHandle ufm_select(TensorHandle a, long dim, long index);
    [DllImport(Lib)] internal static extern TensorHandle ufm_index_select(TensorHandle a, long dim, TensorHandle index);
    [DllImport(Lib)] internal static extern TensorHandle ufm_gather(TensorHandle a, long dim, TensorHandle index);
    [DllImport(Lib)] internal static extern TensorHandle ufm_index_copy(TensorHandle a, long dim, TensorHandle index, TensorHandle source);
    [DllImport(Lib)] internal static extern TensorHandle ufm_masked_select(TensorHandle a, TensorHandle mask);
    [DllImport(Lib)] internal static extern TensorHandle ufm_nonzero(TensorHandle a);
    [DllImport(Lib)] internal static extern int ufm_copy_(TensorHandle dst, TensorHandle src);
    [DllImport(Lib)] internal static extern int ufm_fill_(TensorHandle dst, double value);

    // neural-network functionals
    [DllImport(Lib)] internal static extern TensorHandle ufm_linear(TensorHandle x, TensorHandle w, TensorHandle b);
    [DllImport(Lib)] internal static extern TensorHandle ufm_linear_gelu(TensorHandle x, TensorHandle w, TensorHandle b);
    [DllImport(Lib)] internal static extern TensorHandle ufm_linear_add(TensorHandle x, TensorHandle w, TensorHandle b, TensorHandle residual);
    [DllImport(Lib)] internal static extern int ufm_attention(TensorHandle qkv, long heads, double scale, int wantAttention, out TensorHandle output, out TensorHandle attention);
    [DllImport(Lib)] internal static extern TensorHandle ufm_conv2d(TensorHandle x, TensorHandle w, TensorHandle b, long* stride, long* padding, long* dilation, long groups);
    [DllImport(Lib)] internal static extern TensorHandle ufm_layer_norm(TensorHandle x, long* shape, int n, TensorHandle w, TensorHandle b, double eps);
    [DllImport(Lib)] internal static extern TensorHandle ufm_gelu(TensorHandle x, int approximate);
    [DllImport(Lib)] internal static extern TensorHandle ufm_softmax(TensorHandle x, long dim);
    [DllImport(Lib)] internal static extern TensorHandle ufm_log_softmax(TensorHandle x, long dim);
    [DllImport(Lib)] internal static extern TensorHandle ufm_avg_pool2d(TensorHandle x, long* kernel, long* stride, long* padding, int ceilMode, int countIncludePad);
    [DllImport(Lib)] internal static extern TensorHandle ufm_interpolate(TensorHandle x, long outH, long outW, int mode, int alignCorners, int antialias, double scaleH, double scaleW);
    [DllImport(Lib)] internal static extern TensorHandle ufm_pad(TensorHandle x, long* pads, int n, int mode, double value);
}
