/**
 * The cross-node relay: a signalling socket may land on any node, while each room's conference runs
 * on the node that holds its lease. {@link io.openmeet.focus.relay.RelayingFocus} is the node's
 * {@code Focus}: it hosts the room when it owns it or can take the lease, and otherwise sends the
 * join to the owner's inbox (presence's {@code NodeMessaging}, Redis pub/sub) and returns a proxy
 * participant whose actions go to the owner and whose events come back from it.
 *
 * <p>Wire format, version 1 (JSON, see {@code RelayCodec}, {@code RelayMessage}, {@code
 * RelayEvent}): {@code {"v":1,"from":"<node>","message":{"type":"<type>",…}}}. Origin → owner:
 * {@code join}, the requests {@code answer}, {@code ice-candidate}, {@code mute}, {@code kick},
 * {@code ice-restart}, {@code offer-again} (each with a {@code call} number, answered by a {@code
 * result}), the fire-and-forget {@code media-state}, {@code chat}, {@code leave}, and the heartbeat
 * {@code ping}. Owner → origin: {@code join-result}, {@code result}, {@code event} (one {@code
 * ParticipantEvents} call) and {@code pong}.
 */
package io.openmeet.focus.relay;
