/** Small, pure SDP helpers the answerer needs (no full parser: only m-line kind, mid, direction). */

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface MediaSection {
  kind: string;
  mid: string | null;
  direction: Direction;
  port: number;
}

/** The `a=msid:<stream> <track>` of each m-line, by mid (how the focus names a source's owner). */
export function msidByMid(sdp: string): Map<string, { streamId: string; trackId: string }> {
  const result = new Map<string, { streamId: string; trackId: string }>();
  let mid: string | null = null;
  let msid: { streamId: string; trackId: string } | null = null;
  const flush = () => {
    if (mid !== null && msid !== null) result.set(mid, msid);
  };
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('m=')) {
      flush();
      mid = null;
      msid = null;
    } else if (line.startsWith('a=mid:')) {
      mid = line.slice(6);
    } else if (line.startsWith('a=msid:')) {
      const [streamId = '', trackId = ''] = line.slice(7).split(' ');
      msid = { streamId, trackId };
    } else if (msid === null && /^a=ssrc:\d+ msid:/.test(line)) {
      const [streamId = '', trackId = ''] = line.replace(/^a=ssrc:\d+ msid:/, '').split(' ');
      msid = { streamId, trackId };
    }
  }
  flush();
  return result;
}

export function parseMediaSections(sdp: string): MediaSection[] {
  const sections: MediaSection[] = [];
  let sessionDirection: Direction = 'sendrecv';
  let current: MediaSection | null = null;
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('m=')) {
      const [kind = '', port = '0'] = line.slice(2).split(' ');
      current = { kind, mid: null, direction: sessionDirection, port: Number(port) };
      sections.push(current);
    } else if (line.startsWith('a=mid:')) {
      if (current) current.mid = line.slice(6);
    } else if (/^a=(sendrecv|sendonly|recvonly|inactive)$/.test(line)) {
      const dir = line.slice(2) as Direction;
      if (current) current.direction = dir;
      else sessionDirection = dir;
    }
  }
  return sections;
}

/**
 * The mids where the server wants to receive our media, per kind, in offer order: the offerer's
 * recvonly/sendrecv m-lines. The first video slot carries the camera, the second the screen share.
 */
export function sendSlots(sdp: string): { audio: string[]; video: string[] } {
  const slots = { audio: [] as string[], video: [] as string[] };
  for (const s of parseMediaSections(sdp)) {
    if (s.mid === null || s.port === 0) continue;
    if (s.direction !== 'recvonly' && s.direction !== 'sendrecv') continue;
    if (s.kind === 'audio') slots.audio.push(s.mid);
    else if (s.kind === 'video') slots.video.push(s.mid);
  }
  return slots;
}

/** The offer's (first) ICE username fragment. */
export function iceUfrag(sdp: string): string | null {
  const m = /^a=ice-ufrag:(\S+)/m.exec(sdp);
  return m?.[1] ?? null;
}

/** The transport an offer describes: ICE credentials and DTLS fingerprint (first occurrence each; BUNDLE). */
export interface TransportIdentity {
  ufrag: string | null;
  pwd: string | null;
  fingerprint: string | null;
}

export function transportIdentity(sdp: string): TransportIdentity {
  const first = (re: RegExp) => re.exec(sdp)?.[1]?.trim().toLowerCase() ?? null;
  return {
    ufrag: first(/^a=ice-ufrag:(\S+)/m),
    pwd: first(/^a=ice-pwd:(\S+)/m),
    fingerprint: first(/^a=fingerprint:(.+)$/m),
  };
}

/**
 * Whether `offer` is for a different bridge endpoint than `previous` (the offer last applied): other ICE
 * credentials or another DTLS fingerprint. The server answers an `ice-restart` (and a bridge failover)
 * by allocating a new endpoint; Chromium would keep its DTLS association when the fingerprint is
 * unchanged, so the new endpoint never sees a handshake. Such an offer needs a new RTCPeerConnection,
 * as a new Jingle session does in Jitsi's clients. Ordinary re-offers (sources added or removed) keep
 * the transport and the connection. An attribute missing from either side does not count as a change.
 */
export function isNewTransport(previous: string | null, offer: string): boolean {
  if (previous === null) return false;
  const a = transportIdentity(previous);
  const b = transportIdentity(offer);
  return (['ufrag', 'pwd', 'fingerprint'] as const).some((k) => a[k] !== null && b[k] !== null && a[k] !== b[k]);
}

/**
 * Which participant a remote stream belongs to, and whether it is a screen share. Jitsi-style msid
 * stream ids start with the endpoint id (`<participantId>-a0`, `<participantId>-v1`…); the longest
 * known id that prefixes the stream id wins. Screen shares are recognised by `screen`/`desktop` in the
 * ids or by a second video source (`-v1`).
 */
export function classifyRemoteStream(
  streamId: string,
  trackId: string,
  knownParticipantIds: Iterable<string>,
): { participantId: string; kind: 'camera' | 'screen' } | null {
  let owner: string | null = null;
  for (const id of knownParticipantIds) {
    if (id.length === 0) continue;
    if ((streamId === id || streamId.startsWith(id)) && (owner === null || id.length > owner.length)) owner = id;
  }
  if (owner === null) return null;
  const trackRest = trackId.startsWith(owner) ? trackId.slice(owner.length) : trackId;
  const rest = `${streamId.slice(owner.length)} ${trackRest}`.toLowerCase();
  const screen = /screen|desktop|(^|[-_])v1\b/.test(rest);
  return { participantId: owner, kind: screen ? 'screen' : 'camera' };
}

const SDES_MID_EXTMAP = /^a=extmap:\d+(?:\/\w+)? urn:ietf:params:rtp-hdrext:sdes:mid(?:\s.*)?$/;

/**
 * The offer without the RTP MID header extension (`urn:ietf:params:rtp-hdrext:sdes:mid`), so that
 * the browser demultiplexes by SSRC and never by the MID a packet carries. The bridge forwards
 * packets with their sender's MID (e.g. "0", the sender's microphone), which the browser would
 * route into our own m-line of that MID and bind its SSRC there — after which the offer that
 * signals the source on its own m-line fails ("Failed to apply demuxer criteria").
 */
export function withoutMidExtension(sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  return sdp
    .split(eol)
    .filter((line) => !SDES_MID_EXTMAP.test(line))
    .join(eol);
}

/** The SSRCs we gave one m-line's simulcast layers (lowest first) and their RTX partners. */
export interface SimulcastSsrcs {
  layers: number[];
  /** The RTX SSRC of each layer, or null where the primary has none. */
  rtx: (number | null)[];
}

/** A random non-zero 32-bit SSRC. */
export function randomSsrc(): number {
  const v = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(v);
    if (v[0]! !== 0) return v[0]!;
  }
}

/**
 * The answer with the video m-line `mid` turned into `layers` simulcast layers the way Jitsi
 * Videobridge expects them (and as lib-jitsi-meet does for Chromium): one `a=ssrc-group:SIM` of the
 * browser's own SSRC and `layers - 1` more, lowest resolution first, each with its own RTX SSRC in
 * a `FID` group when the browser's SSRC has one. Chromium then encodes one stream per SSRC.
 * `previous` keeps the SSRCs stable across answers (the bridge knows the source by them). The
 * answer is returned unchanged when the m-line does not send, already has a SIM group, or carries
 * SSRCs we do not recognise; `ssrcs` is then the existing SIM group's, or null.
 */
export function withSimulcast(
  sdp: string,
  mid: string,
  layers: number,
  previous: SimulcastSsrcs | null,
  random: () => number = randomSsrc,
): { sdp: string; ssrcs: SimulcastSsrcs | null } {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(eol);
  const sections: number[] = [];
  lines.forEach((l, i) => {
    if (l.startsWith('m=')) sections.push(i);
  });
  const start = sections.find((s, k) => {
    const end = sections[k + 1] ?? lines.length;
    return lines.slice(s, end).includes(`a=mid:${mid}`);
  });
  const unchanged = { sdp, ssrcs: null };
  if (start === undefined || !lines[start]!.startsWith('m=video') || layers < 2) return unchanged;
  const end = sections[sections.indexOf(start) + 1] ?? lines.length;
  const section = lines.slice(start, end);
  if (!section.some((l) => l === 'a=sendonly' || l === 'a=sendrecv')) return unchanged;

  const groups = section.filter((l) => l.startsWith('a=ssrc-group:'));
  const sim = groups.find((l) => l.startsWith('a=ssrc-group:SIM '));
  if (sim) {
    const simSsrcs = sim.split(' ').slice(1).map(Number);
    const fidOf = (s: number) => {
      const fid = groups.find((g) => g.startsWith(`a=ssrc-group:FID ${s} `));
      return fid ? Number(fid.split(' ')[2]) : null;
    };
    return { sdp, ssrcs: { layers: simSsrcs, rtx: simSsrcs.map(fidOf) } };
  }
  const ssrcLines = section.filter((l) => /^a=ssrc:\d+ /.test(l));
  const ssrcOf = (l: string) => Number(/^a=ssrc:(\d+) /.exec(l)![1]);
  const declared = new Set(ssrcLines.map(ssrcOf));
  if (declared.size === 0) return unchanged;
  const fid = groups.find((g) => g.startsWith('a=ssrc-group:FID '));
  const [primary, primaryRtx] = fid
    ? (fid.split(' ').slice(1).map(Number) as [number, number | undefined])
    : [ssrcOf(ssrcLines[0]!), undefined];
  const known = new Set([primary, ...(primaryRtx === undefined ? [] : [primaryRtx])]);
  if (groups.length > (fid ? 1 : 0) || [...declared].some((s) => !known.has(s))) return unchanged;

  const reuse = previous !== null && previous.layers[0] === primary && previous.layers.length === layers;
  const taken = new Set(declared);
  const fresh = () => {
    for (;;) {
      const s = random();
      if (!taken.has(s)) {
        taken.add(s);
        return s;
      }
    }
  };
  const ssrcs: SimulcastSsrcs =
    reuse && previous
      ? { layers: [...previous.layers], rtx: [...previous.rtx] }
      : { layers: [primary], rtx: [primaryRtx ?? null] };
  if (!reuse) {
    for (let i = 1; i < layers; i++) {
      ssrcs.layers.push(fresh());
      ssrcs.rtx.push(primaryRtx === undefined ? null : fresh());
    }
  }
  // Each new SSRC gets the attributes (cname, msid) the browser wrote for its own.
  const attributes = ssrcLines.filter((l) => ssrcOf(l) === primary).map((l) => l.slice(`a=ssrc:${primary} `.length));
  const newGroups = [`a=ssrc-group:SIM ${ssrcs.layers.join(' ')}`];
  const newSsrcLines: string[] = [];
  for (let i = 1; i < layers; i++) {
    const rtx = ssrcs.rtx[i];
    if (rtx !== null && rtx !== undefined) newGroups.push(`a=ssrc-group:FID ${ssrcs.layers[i]} ${rtx}`);
    for (const s of rtx === null || rtx === undefined ? [ssrcs.layers[i]!] : [ssrcs.layers[i]!, rtx]) {
      for (const a of attributes) newSsrcLines.push(`a=ssrc:${s} ${a}`);
    }
  }
  const firstSsrc = start + section.findIndex((l) => l.startsWith('a=ssrc'));
  const lastSsrc = start + section.length - 1 - [...section].reverse().findIndex((l) => /^a=ssrc:\d+ /.test(l));
  const out = [
    ...lines.slice(0, firstSsrc),
    ...(fid ? [fid] : []),
    ...newGroups,
    ...lines.slice(firstSsrc, lastSsrc + 1).filter((l) => !l.startsWith('a=ssrc-group:')),
    ...newSsrcLines,
    ...lines.slice(lastSsrc + 1),
  ];
  return { sdp: out.join(eol), ssrcs };
}
