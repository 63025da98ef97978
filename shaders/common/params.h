/* Push constants shared by every shader. Included by C (runtime/gpu.h) and by GLSL
 * (shaders/common/common.glsl), so the layout cannot drift apart. 26 x int32 = 104 bytes (Vulkan
 * guarantees 128). Tensors are stored channel-packed: element (y, x, c4) is vec4 number
 * (y*w + x)*c4count + c4. */
PSEG_PARAMS_BEGIN
  int in_h;   int in_w;   int in_c4;   /* first input (or image) size, channels in vec4s */
  int out_h;  int out_w;  int out_c4;  /* output size */
  int kh;     int kw;                  /* kernel */
  int sh;     int sw;                  /* stride */
  int pad_t;  int pad_l;               /* padding before */
  int act;                             /* PSEG_ACT_* fused activation */
  int mode;                            /* op specific (broadcast, resize mode, ...) */
  int aux0;   int aux1;                /* op specific */
  /* Batches (a session of N frames runs each dispatch over grid z = N): the distance between two
   * frames' data in bindings X, R, G, Y and Y2 (the GPU tier's numbering: 0, 1, 2, 3, 5), in
   * elements of each binding; the frame and the mask buffers count pixels. */
  int bx;     int br;     int bg;      int by;   int by2;
  int s0;     int s1;                  /* GPU tier: offsets into the scratch buffer (gpool.comp) */
  int s2;                              /* GPU tier: a folded squeeze-excite block's activations */
  int w0;     int w1;                  /* GPU tier: the dispatch's weights, and a folded block's, as
                                          element offsets into the model's weight buffer */
PSEG_PARAMS_END
