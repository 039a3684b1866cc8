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
