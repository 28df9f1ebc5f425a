using Xunit;
using static TorchSharp.torch;

namespace TorchSharpCompat.Tests.Infrastructure
{
    /// <summary>A fact that is skipped when the linked libtorch has no usable CUDA device.</summary>
    public sealed class CudaFactAttribute : FactAttribute
    {
        public CudaFactAttribute()
        {
            if (!cuda.is_available()) Skip = "CUDA is not available to the linked libtorch";
        }
    }
}
