namespace TorchSharp
{
    /// <summary>How tensors are padded (convolution padding modes and <c>nn.functional.pad</c>).</summary>
    public enum PaddingModes
    {
        /// <summary>Pad with zeros.</summary>
        Zeros = 0,
        /// <summary>Reflect at the border, without repeating the edge value.</summary>
        Reflect = 1,
        /// <summary>Repeat the edge value.</summary>
        Replicate = 2,
        /// <summary>Wrap around.</summary>
        Circular = 3,
        /// <summary>Pad with a constant value.</summary>
        Constant = 4,
    }

    /// <summary>Symbolic convolution padding.</summary>
    public enum Padding
    {
        /// <summary>No padding.</summary>
        Valid = 0,
        /// <summary>Pad so that the output has the input's spatial size (stride 1 only).</summary>
        Same = 1,
    }

    public static partial class torch
    {
        /// <summary>Resampling algorithms of <c>nn.functional.interpolate</c>.</summary>
        public enum InterpolationMode
        {
            /// <summary>Nearest neighbour (PyTorch's legacy 'nearest' index rule).</summary>
            Nearest = 0,
            /// <summary>Linear, for 3-D inputs.</summary>
            Linear = 1,
            /// <summary>Bilinear, for 4-D inputs.</summary>
            Bilinear = 2,
            /// <summary>Bicubic, for 4-D inputs.</summary>
            Bicubic = 3,
            /// <summary>Trilinear, for 5-D inputs.</summary>
            Trilinear = 4,
            /// <summary>Adaptive average pooling.</summary>
            Area = 5,
            /// <summary>Nearest neighbour with pixel centres aligned ('nearest-exact').</summary>
            NearestExact = 6,
        }

        /// <summary>Resampling algorithms of <c>nn.Upsample</c> and <c>nn.functional.upsample</c>.</summary>
        public enum UpsampleMode
        {
            /// <summary>Nearest neighbour.</summary>
            Nearest = 0,
            /// <summary>Linear, for 3-D inputs.</summary>
            Linear = 1,
            /// <summary>Bilinear, for 4-D inputs.</summary>
            Bilinear = 2,
            /// <summary>Bicubic, for 4-D inputs.</summary>
            Bicubic = 3,
            /// <summary>Trilinear, for 5-D inputs.</summary>
            Trilinear = 4,
        }
    }
}
