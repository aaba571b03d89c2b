/**
 * ITU-T G.107 E-model, simplified to what a network test measures: one-way delay, jitter and packet loss → the
 * transmission rating R → estimated MOS. Every simplification is stated here and the parameters are data
 * (EMODEL_PARAMETERS), each with its source:
 *
 * - Everything not caused by the network at its G.107 default (Table 3): R0 − Is = 93.2 (G.107 §7.1, "the default
 *   values … result in R = 93.2"), advantage factor A = 0.
 * - Delay impairment Id from the mouth-to-ear delay Ta by the piecewise-linear fit of G.107's Idd of
 *   R. G. Cole and J. H. Rosenbluth, "Voice over IP performance monitoring", ACM SIGCOMM Computer Communication
 *   Review 31(2), 2001: Id = 0.024·Ta + 0.11·(Ta − 177.3)·H(Ta − 177.3), H the unit step (echo well controlled).
 * - Ta = one-way network delay (half the measured round trip) + a jitter buffer of twice the interarrival jitter
 *   (at least 20 ms) + one 20 ms audio frame of packetisation. netready's assumption, not a standard's.
 * - Equipment impairment under loss, G.107 eq. (7-29): Ie,eff = Ie + (95 − Ie)·Ppl / (Ppl/BurstR + Bpl), with the
 *   G.711 + packet-loss-concealment values of ITU-T G.113 Appendix I (Table I.3): Ie = 0, Bpl = 25.1, and random
 *   loss (BurstR = 1). Opus, which browsers use, conceals loss better; ITU-T publishes no Ie/Bpl for it, so G.711
 *   with PLC is the conservative stand-in.
 * - MOS from R by G.107 Annex B, eq. (B-4).
 */

/** The E-model's inputs and parameters (see the module comment for each source). */
export const EMODEL_PARAMETERS = {
  /** R0 − Is at G.107's defaults (G.107 §7.1). */
  baseR: 93.2,
  /** Advantage factor A (G.107 §7.6): 0 for a fixed, wired call. */
  advantage: 0,
  /** Codec equipment impairment Ie, G.711 (G.113 Appendix I). */
  ie: 0,
  /** Packet-loss robustness Bpl, G.711 with PLC under random loss (G.113 Appendix I, Table I.3). */
  bpl: 25.1,
  /** Burst ratio: 1 = random loss (G.107 §7.4). */
  burstR: 1,
  /** Packetisation: one 20 ms audio frame, ms. */
  frameMs: 20,
  /** Smallest jitter buffer assumed, ms. */
  minJitterBufferMs: 20,
  /** Source references, for the result page. */
  sources: [
    'ITU-T G.107 (06/2015) The E-model: a computational model for use in transmission planning — https://www.itu.int/rec/T-REC-G.107',
    'ITU-T G.113 Appendix I: provisional planning values for Ie and Bpl — https://www.itu.int/rec/T-REC-G.113',
    'R. G. Cole, J. H. Rosenbluth, "Voice over IP performance monitoring", ACM SIGCOMM CCR 31(2), 2001 (Id approximation)',
  ],
} as const;

/** What the E-model needs from the measurement. */
export interface EModelInput {
  /** One-way network delay, ms (half the round trip). */
  oneWayDelayMs: number;
  /** Interarrival jitter of the direction the listener receives, ms. */
  jitterMs: number;
  /** Packet loss of that direction, 0–1. */
  lossRatio: number;
}

/** The E-model's result. */
export interface EModelResult {
  /** Transmission rating, 0–100 (G.107). */
  r: number;
  /** Estimated mean opinion score, 1–4.5 (G.107 Annex B). */
  mos: number;
  /** Mouth-to-ear delay Ta used, ms. */
  mouthToEarMs: number;
  /** Delay impairment Id. */
  id: number;
  /** Effective equipment impairment Ie,eff (from loss). */
  ieEff: number;
}

/** G.107 Annex B eq. (B-4): MOS from R. */
export function mosFromR(r: number): number {
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
}

/** Computes R and MOS for one direction of speech (see the module comment for every step). */
export function eModel(input: EModelInput, p: typeof EMODEL_PARAMETERS = EMODEL_PARAMETERS): EModelResult {
  const jitterBuffer = Math.max(p.minJitterBufferMs, 2 * Math.max(0, input.jitterMs));
  const ta = Math.max(0, input.oneWayDelayMs) + jitterBuffer + p.frameMs;
  const id = 0.024 * ta + (ta > 177.3 ? 0.11 * (ta - 177.3) : 0);
  const ppl = Math.min(100, Math.max(0, input.lossRatio * 100));
  const ieEff = p.ie + ((95 - p.ie) * ppl) / (ppl / p.burstR + p.bpl);
  const r = Math.min(100, Math.max(0, p.baseR - id - ieEff + p.advantage));
  const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;
  return { r: round(r, 1), mos: round(mosFromR(r), 2), mouthToEarMs: round(ta, 1), id: round(id, 1), ieEff: round(ieEff, 1) };
}
