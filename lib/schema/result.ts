/**
 * The versioned result schema (schemaVersion 1) — the one contract between the browser, the probe server,
 * storage, the CLI and embeds. Extend, never break: new fields are optional, enum members are only added.
 * See shared/DESIGN.md "Result JSON".
 */
import * as z from 'zod/mini';

/** Current schema version written by this code. */
export const SCHEMA_VERSION = 1;

/** Overall verdict, see DESIGN.md: blocked (no media path), degraded (fallback only), ready, inconclusive. */
export const VerdictSchema = z.enum(['ready', 'degraded', 'blocked', 'inconclusive']);
/** Overall verdict of a run. */
export type Verdict = z.infer<typeof VerdictSchema>;

/** Severity of a finding. */
export const SeveritySchema = z.enum(['blocker', 'warning', 'info']);
/** Severity of a finding. */
export type Severity = z.infer<typeof SeveritySchema>;

/** Outcome status of one probe. */
export const ProbeStatusSchema = z.enum(['pass', 'warn', 'fail', 'skipped', 'inconclusive']);
/** Outcome status of one probe. */
export type ProbeStatus = z.infer<typeof ProbeStatusSchema>;

/**
 * One piece of evidence: what was observed, by whom, in plain data. `probe` names the probe that recorded it,
 * `kind` what it is (`candidate`, `ice-error`, `timeout`, `data-echo`, `http-error` …).
 */
export const EvidenceSchema = z.object({
  probe: z.optional(z.string()),
  kind: z.string(),
  /** Short human-readable summary, e.g. "relay candidate via turn:203.0.113.1:3478?transport=udp". */
  summary: z.string(),
  /** Raw values (candidate fields, error code/text, timings). */
  data: z.optional(z.record(z.string(), z.unknown())),
});
/** One piece of evidence. */
export type Evidence = z.infer<typeof EvidenceSchema>;

/**
 * What a finding is about: the person's `network` (the default, and what every finding was before this field
 * existed), netready's own `deployment` (its certificate, a probe server that stopped answering) or the person's
 * `browser` (WebRTC switched off). Only network findings are something the network's admin should change.
 */
export const FindingCategorySchema = z.enum(['network', 'deployment', 'browser']);
/** What a finding is about. */
export type FindingCategory = z.infer<typeof FindingCategorySchema>;

/** A diagnosis finding: stable public `code` (DESIGN.md list), plain-language text and the evidence behind it. */
export const FindingSchema = z.object({
  code: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{1,63}$/)),
  severity: SeveritySchema,
  title: z.string().check(z.maxLength(300)),
  detail: z.string().check(z.maxLength(4000)),
  remediation: z.string().check(z.maxLength(4000)),
  evidence: z.array(EvidenceSchema),
  /** What the finding is about; absent means `network` (results written before the field existed). */
  category: z.optional(FindingCategorySchema),
  /** Ids of the probes whose `fail`/`warn` (or reclassified) outcome this finding explains. */
  probes: z.optional(z.array(z.string().check(z.maxLength(64))).check(z.maxLength(64))),
});
/** A diagnosis finding. */
export type Finding = z.infer<typeof FindingSchema>;

/** Outcome of one probe as stored in the result. `data` is probe-specific (see lib/probes). */
export const ProbeOutcomeSchema = z.object({
  status: ProbeStatusSchema,
  durationMs: z.number(),
  /** Why the probe ended as it did, in one sentence (always set for skipped/inconclusive/fail). */
  reason: z.optional(z.string()),
  data: z.record(z.string(), z.unknown()),
  evidence: z.array(EvidenceSchema),
  /**
   * What explains a `fail` or `warn` (and a reclassified) outcome: finding codes of this result, or the name of the
   * diagnosis rule that covers it without a finding of its own (`rule:<name>`). Set by the diagnosis; never empty
   * for fail/warn ("no silent failures").
   */
  explainedBy: z.optional(z.array(z.string().check(z.maxLength(80)))),
  /**
   * Set when the diagnosis changed the status the probe reported, because the failure was netready's own (its
   * certificate not trusted by this browser, its server gone mid-run) and says nothing about the network.
   */
  reclassified: z.optional(z.object({ from: ProbeStatusSchema, because: z.string().check(z.maxLength(80)) })),
});
/** Outcome of one probe. */
export type ProbeOutcome = z.infer<typeof ProbeOutcomeSchema>;

/**
 * What this browser offers of WebRTC, read from its globals before the run (issue 18). `peerConnection` is false
 * when `RTCPeerConnection` is missing (Firefox with `media.peerconnection.enabled=false`, some in-app web views) or
 * its constructor throws (a policy or extension blocking it); `error` then says what happened. The other flags are
 * the getStats/ICE fields netready reads that not every engine has (Safari lacks `relayProtocol` on candidates).
 */
export const WebRtcCapabilitiesSchema = z.object({
  peerConnection: z.boolean(),
  /** Why `peerConnection` is false: "RTCPeerConnection is not defined", or the constructor's error. */
  error: z.optional(z.string().check(z.maxLength(300))),
  /** `RTCPeerConnection.prototype.getStats` exists. */
  getStats: z.optional(z.boolean()),
  /** `RTCIceCandidate.prototype.relayProtocol` exists (which transport a relay candidate reached TURN over). */
  relayProtocol: z.optional(z.boolean()),
  /** `RTCIceCandidate.prototype.address` exists (parsed candidate fields, not only the SDP line). */
  candidateAddress: z.optional(z.boolean()),
  /** `RTCPeerConnectionIceErrorEvent` exists (`icecandidateerror` with error codes). */
  iceErrorEvent: z.optional(z.boolean()),
});
/** What this browser offers of WebRTC. */
export type WebRtcCapabilities = z.infer<typeof WebRtcCapabilitiesSchema>;

/** Client description derived from the User-Agent, plus the browser's WebRTC capabilities (issue 18). */
export const ClientSchema = z.object({
  userAgent: z.string().check(z.maxLength(1000)),
  browser: z.optional(z.string()),
  browserVersion: z.optional(z.string()),
  os: z.optional(z.string()),
  osVersion: z.optional(z.string()),
  /** Rendering engine: blink (Chrome, Edge …), gecko (Firefox), webkit (Safari, every iOS browser), other. */
  engine: z.optional(z.enum(['blink', 'gecko', 'webkit', 'other'])),
  /** Version of the engine as the User-Agent gives it. */
  engineVersion: z.optional(z.string()),
  /** What the browser offers of WebRTC; absent from older results and where the runner could not look. */
  webrtc: z.optional(WebRtcCapabilitiesSchema),
});
/** Client description. */
export type ClientInfo = z.infer<typeof ClientSchema>;

/** What the run tested against. */
export const RunConfigSchema = z.object({
  /** Display name of the deployment/vendor configuration. */
  name: z.string(),
  /** Base URL of the probe server's HTTP endpoint used for the run. */
  probeUrl: z.optional(z.string()),
  /** Overall time budget in milliseconds. */
  budgetMs: z.optional(z.number()),
  targets: z.optional(z.array(z.record(z.string(), z.unknown()))),
});

/** A finished run: schemaVersion 1. */
export const ResultSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  /** Run id (UUID, made by the page); the server may store it under its own share id. */
  id: z.string().check(z.minLength(1), z.maxLength(100)),
  startedAt: z.string().check(z.iso.datetime()),
  durationMs: z.number(),
  config: RunConfigSchema,
  client: ClientSchema,
  verdict: VerdictSchema,
  /**
   * The connectivity verdict and when it was proven (issue 16): shown as soon as the transports decide it, before the
   * quality measurement refines `verdict`. Absent from older results and from runs that could not decide it.
   */
  connectivity: z.optional(z.object({ verdict: VerdictSchema, atMs: z.number() })),
  findings: z.array(FindingSchema),
  probes: z.record(z.string(), ProbeOutcomeSchema),
});
/** A finished run. */
export type Result = z.infer<typeof ResultSchema>;
