/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * 3×3 convolutions with stride 1 by Winograd's minimal filtering F(2×2, 3×3)
 * (Lavin & Gray, 2015): each 2×2 block of outputs takes 16 multiplications
 * per channel pair instead of 36.  Inputs are cut into overlapping 4×4
 * tiles; tiles and filters are transformed (V = Bᵀ d B, U = G g Gᵀ), the 16
 * transformed positions ξ become 16 independent products M_ξ = U_ξ V_ξ done
 * by sgemm, and each 2×2 output block is Aᵀ M A.
 *
 * The transforms have coefficients 0, ±1 and ±½ only, so rounding stays
 * within a few float32 ulps of the lowered (im2col) product; the tests hold
 * it to the double-precision convolution like every other path.  VGG-style
 * networks are almost all such layers, and every relevance pass runs two or
 * three of them per layer (W⁺x, and the transposed product as a flipped
 * forward convolution), so this is where the time goes.
 */
#define G_LOG_DOMAIN "lrp-blas"

#include "config.h"

#include "lrp-blas-private.h"
#include "lrp-parallel-private.h"

#include <string.h>

/* Floats of transformed input plus products per band of tile rows (2 MiB):
 * small enough to stay in cache between the transform and the sgemm that
 * reads it, yet giving sgemm enough columns to run at its rate. */
#define BAND_FLOATS ((int64_t) 1 << 19)

/* Fewer tiles than this per band starve sgemm (each product streams all of
 * U_ξ for them), unless that would take more than MAX_BAND_FLOATS of
 * scratch (64 MiB); and fewer bands than MIN_SHARED_BANDS do not share out
 * evenly between cores. */
#define MIN_BAND_TILES 256
#define MAX_BAND_FLOATS ((int64_t) 1 << 24)
#define MIN_SHARED_BANDS 6

/* Below these sizes the lowered product is as fast: few channels make the
 * 16 products too thin, few positions make the transforms dominate.  With
 * 196 to 399 positions (14×14 outputs) it pays up to 256 × 256 channels
 * (ResNet50's 14×14 layers: 1.35 -> 1.17 ms), not at 512 × 512, where
 * transforming the filters anew for every product of a relevance pass costs
 * more than it saves (VGG16's 14×14 layers: 10.7 -> 12.8 ms per pass). */
#define MIN_CHANNELS 16
#define MIN_POSITIONS 196
#define MIN_POSITIONS_ANY_CHANNELS 400
#define MAX_CHANNEL_PAIRS_FEW_POSITIONS (256 * 256)

gboolean
lrp_winograd_applies (const LrpConvGeometry *g)
{
  if (g->n_dims != 2 || g->group != 1)
    return FALSE;
  for (int d = 0; d < 2; d++)
    if (g->kernel[d] != 3 || g->stride[d] != 1 || g->dilation[d] != 1
        || g->pad_begin[d] > 2 || g->pad_end[d] > 2)
      return FALSE;
  /* One tile row is the least a band holds: absurdly wide images with
   * many channels go the lowered way, whose bands can be cut finer. */
  return g->channels >= MIN_CHANNELS && g->out_channels >= MIN_CHANNELS
         && (g->out[0] * g->out[1] >= MIN_POSITIONS_ANY_CHANNELS
             || (g->out[0] * g->out[1] >= MIN_POSITIONS
                 && g->channels * g->out_channels <= MAX_CHANNEL_PAIRS_FEW_POSITIONS))
         && 16 * (g->channels + g->out_channels) * ((g->out[1] + 1) / 2) <= MAX_BAND_FLOATS;
}

typedef struct
{
  const LrpConvGeometry *g;
  const float *x, *w, *bias;
  float *y;
  float *u;                 /* [16][M][C] */
  int64_t tiles_w;          /* tiles along a row */
  int64_t band_rows;        /* tile rows per band */
  GCancellable *cancellable;
  gint cancelled;
} Job;

/* One band of tile rows [row0, row0 + rows) and its scratch. */
typedef struct
{
  const Job *job;
  float *v;                 /* [16][C][band tiles] */
  float *m;                 /* [16][M][band tiles] */
  int64_t row0, rows;
} Band;

/* Input channels per step of the filter transform: the 9 taps of this
 * many filters are gathered into lanes, so that every line below is one
 * vector operation on them. */
#define LANES 8

/* U = G g Gᵀ, G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1], for output channels
 * [begin, end). */
static void
transform_filters (int64_t begin,
                   int64_t end,
                   gpointer data)
{
  const Job *j = data;
  const int64_t c_n = j->g->channels, m_n = j->g->out_channels;

  for (int64_t m = begin; m < end; m++)
    for (int64_t c0 = 0; c0 < c_n; c0 += LANES)
      {
        int64_t lanes = MIN (LANES, c_n - c0);
        float q[9][LANES] = { { 0 } }, t[4][3][LANES], u[16][LANES];

        for (int64_t l = 0; l < lanes; l++)
          for (int s = 0; s < 9; s++)
            q[s][l] = j->w[(m * c_n + c0 + l) * 9 + s];
        for (int s = 0; s < 3; s++)
          for (int l = 0; l < LANES; l++)
            {
              t[0][s][l] = q[s][l];
              t[1][s][l] = 0.5f * (q[s][l] + q[3 + s][l] + q[6 + s][l]);
              t[2][s][l] = 0.5f * (q[s][l] - q[3 + s][l] + q[6 + s][l]);
              t[3][s][l] = q[6 + s][l];
            }
        for (int a = 0; a < 4; a++)
          for (int l = 0; l < LANES; l++)
            {
              u[4 * a][l] = t[a][0][l];
              u[4 * a + 1][l] = 0.5f * (t[a][0][l] + t[a][1][l] + t[a][2][l]);
              u[4 * a + 2][l] = 0.5f * (t[a][0][l] - t[a][1][l] + t[a][2][l]);
              u[4 * a + 3][l] = t[a][2][l];
            }
        for (int xi = 0; xi < 16; xi++)
          memcpy (j->u + (xi * m_n + m) * c_n + c0, u[xi], sizeof (float) * (size_t) lanes);
      }
}

/* V = Bᵀ d B, Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1], for the band's
 * tiles of input channels [begin, end).  Rows are transformed first, on
 * whole padded input lines (contiguous, so vectorised), then columns. */
static void
transform_inputs (const Band *j,
                  int64_t c_begin,
                  int64_t c_end)
{
  const LrpConvGeometry *g = j->job->g;
  const int64_t h = g->in[0], w = g->in[1], tw = j->job->tiles_w;
  const int64_t span = 2 * tw + 2;           /* padded line: input columns −pad … */
  const int64_t band = j->rows * tw, c_n = g->channels;
  g_autofree float *lines = g_new (float, 8 * span);
  float *p[4], *t[4];

  for (int r = 0; r < 4; r++)
    {
      p[r] = lines + r * span;
      t[r] = lines + (4 + r) * span;
    }
  for (int64_t c = c_begin; c < c_end; c++)
    for (int64_t i = j->row0; i < j->row0 + j->rows; i++)
      {
        float *out = j->v + c * band + (i - j->row0) * tw;

        for (int r = 0; r < 4; r++)
          {
            int64_t row = 2 * i - g->pad_begin[0] + r;
            int64_t lo = g->pad_begin[1], hi = MIN (span, w + g->pad_begin[1]);

            if (row < 0 || row >= h)
              {
                memset (p[r], 0, sizeof (float) * (size_t) span);
                continue;
              }
            memset (p[r], 0, sizeof (float) * (size_t) lo);
            memcpy (p[r] + lo, j->job->x + (c * h + row) * w, sizeof (float) * (size_t) (hi - lo));
            if (hi < span)
              memset (p[r] + hi, 0, sizeof (float) * (size_t) (span - hi));
          }
        for (int64_t s = 0; s < span; s++)
          {
            t[0][s] = p[0][s] - p[2][s];
            t[1][s] = p[1][s] + p[2][s];
            t[2][s] = p[2][s] - p[1][s];
            t[3][s] = p[1][s] - p[3][s];
          }
        for (int a = 0; a < 4; a++)
          {
            const float *ta = t[a];
            float *o0 = out + (int64_t) (4 * a) * c_n * band, *o1 = o0 + c_n * band;
            float *o2 = o1 + c_n * band, *o3 = o2 + c_n * band;

            for (int64_t k = 0; k < tw; k++)
              {
                const float *q = ta + 2 * k;

                o0[k] = q[0] - q[2];
                o1[k] = q[1] + q[2];
                o2[k] = q[2] - q[1];
                o3[k] = q[1] - q[3];
              }
          }
      }
}

/* Y = Aᵀ M A + bias, Aᵀ = [1 1 1 0; 0 1 −1 −1], for output channels
 * [begin, end) of the band; blocks past an odd edge are cut. */
static void
transform_outputs (const Band *j,
                   int64_t m_begin,
                   int64_t m_end)
{
  const LrpConvGeometry *g = j->job->g;
  const int64_t oh = g->out[0], ow = g->out[1], tw = j->job->tiles_w;
  const int64_t band = j->rows * tw, m_n = g->out_channels;
  g_autofree float *s = g_new (float, 8 * tw);

  for (int64_t m = m_begin; m < m_end; m++)
    for (int64_t i = j->row0; i < j->row0 + j->rows; i++)
      {
        const float *in = j->m + m * band + (i - j->row0) * tw;
        float b = j->job->bias ? j->job->bias[m] : 0.f;
        float *y0 = j->job->y + (m * oh + 2 * i) * ow, *y1 = y0 + ow;
        gboolean second_row = 2 * i + 1 < oh;

        /* s[p·4 + q] = (Aᵀ M)[p][q], per tile */
        for (int q = 0; q < 4; q++)
          {
            const float *m0 = in + (int64_t) q * m_n * band;
            const float *m1 = m0 + 4 * m_n * band, *m2 = m1 + 4 * m_n * band;
            const float *m3 = m2 + 4 * m_n * band;
            float *s0 = s + q * tw, *s1 = s + (4 + q) * tw;

            for (int64_t k = 0; k < tw; k++)
              {
                s0[k] = m0[k] + m1[k] + m2[k];
                s1[k] = m1[k] - m2[k] - m3[k];
              }
          }
        for (int p = 0; p < (second_row ? 2 : 1); p++)
          {
            const float *s0 = s + p * 4 * tw, *s1 = s0 + tw, *s2 = s1 + tw, *s3 = s2 + tw;
            float *yr = p == 0 ? y0 : y1;

            for (int64_t k = 0; k < ow / 2; k++)
              {
                yr[2 * k] = b + s0[k] + s1[k] + s2[k];
                yr[2 * k + 1] = b + s1[k] - s2[k] - s3[k];
              }
            if (ow % 2)
              yr[ow - 1] = b + s0[tw - 1] + s1[tw - 1] + s2[tw - 1];
          }
      }
}

/* M_ξ = U_ξ V_ξ for ξ in [begin, end) */
static void
products (int64_t begin,
          int64_t end,
          gpointer data)
{
  const Band *band = data;
  const LrpConvGeometry *g = band->job->g;
  const int64_t c_n = g->channels, m_n = g->out_channels, n = band->rows * band->job->tiles_w;

  for (int64_t xi = begin; xi < end; xi++)
    lrp_sgemm (FALSE, FALSE, m_n, n, c_n, 1.f, band->job->u + xi * m_n * c_n, c_n,
               band->v + xi * c_n * n, n, 0.f, band->m + xi * m_n * n, n);
}

static void
inputs_part (int64_t begin,
             int64_t end,
             gpointer data)
{
  transform_inputs (data, begin, end);
}

static void
outputs_part (int64_t begin,
              int64_t end,
              gpointer data)
{
  transform_outputs (data, begin, end);
}

/* Bands [begin, end), one after the other on this thread: transform, 16
 * products, inverse transform, all while the band is in this core's cache.
 * The products are single-threaded here (lrp_sgemm does not split inside a
 * parallel loop); the cores work on different bands. */
static void
run_bands (int64_t begin,
           int64_t end,
           gpointer data)
{
  Job *job = data;
  const LrpConvGeometry *g = job->g;
  const int64_t tiles_h = (g->out[0] + 1) / 2;
  const int64_t most = job->band_rows * job->tiles_w;
  g_autofree float *v = g_new (float, 16 * g->channels * most);
  g_autofree float *m = g_new (float, 16 * g->out_channels * most);

  for (int64_t b = begin; b < end; b++)
    {
      Band band = { job, v, m, b * job->band_rows, 0 };

      if (lrp_parallel_cancelled (&job->cancelled, job->cancellable))
        return;
      band.rows = MIN (job->band_rows, tiles_h - band.row0);
      transform_inputs (&band, 0, g->channels);
      products (0, 16, &band);
      transform_outputs (&band, 0, g->out_channels);
    }
}

/* Too few bands to share out (deep layers: few positions, many channels):
 * the bands one after the other, each step split over the cores. */
static void
run_shared (Job *job)
{
  const LrpConvGeometry *g = job->g;
  const int64_t tiles_h = (g->out[0] + 1) / 2, most = job->band_rows * job->tiles_w;
  g_autofree float *v = g_new (float, 16 * g->channels * most);
  g_autofree float *m = g_new (float, 16 * g->out_channels * most);

  for (int64_t row0 = 0; row0 < tiles_h; row0 += job->band_rows)
    {
      Band band = { job, v, m, row0, MIN (job->band_rows, tiles_h - row0) };

      if (lrp_parallel_cancelled (&job->cancelled, job->cancellable))
        return;
      lrp_parallel_for (g->channels, 8, inputs_part, &band);
      lrp_parallel_for (16, 1, products, &band);
      lrp_parallel_for (g->out_channels, 8, outputs_part, &band);
    }
}

gboolean
lrp_winograd_conv (const LrpConvGeometry *g,
                   const float *x,
                   const float *w,
                   const float *bias,
                   float *y,
                   GCancellable *cancellable,
                   GError **error)
{
  const int64_t c_n = g->channels, m_n = g->out_channels;
  const int64_t tiles_h = (g->out[0] + 1) / 2, tiles_w = (g->out[1] + 1) / 2;
  const int64_t per_row = 16 * (c_n + m_n) * tiles_w;   /* scratch floats per tile row */
  const int64_t rows = CLAMP (MIN (MAX (BAND_FLOATS / per_row,
                                        (MIN_BAND_TILES + tiles_w - 1) / tiles_w),
                                   MAX_BAND_FLOATS / per_row), 1, tiles_h);
  const int64_t bands = (tiles_h + rows - 1) / rows;
  g_autofree float *u = g_new (float, 16 * m_n * c_n);
  Job job = { g, x, w, bias, y, u, tiles_w, rows, cancellable, 0 };

  g_return_val_if_fail (lrp_winograd_applies (g), FALSE);
  lrp_parallel_for (m_n, 8, transform_filters, &job);
  if (bands >= MIN_SHARED_BANDS)
    lrp_parallel_for (bands, 1, run_bands, &job);
  else
    run_shared (&job);
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}
