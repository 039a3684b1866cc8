/**
 * The cross-node relay: a signalling socket may land on any node, while each room's conference runs
 * on the node that holds its lease. {@link io.openmeet.focus.relay.RelayingFocus} is the node's
 * {@code Focus}: it hosts the room when it owns it or can take the lease, and otherwise sends the
 * join to the owner's inbox (presence's {@code NodeMessaging}: a direct TCP link between the nodes,
 * which keeps working while Redis is down once the nodes know each other) and returns a proxy
 * participant whose actions go to the owner and whose events come back from it.
 *
 * <p>Wire format, version 1 (JSON, see {@code RelayCodec}, {@code RelayMessage}, {@code
 * RelayEvent}): {@code {"v":1,"from":"<node>","message":{"type":"<type>",…}}}. Origin → owner:
 * {@code join} and {@code resume} (a socket that came back on a node that is not the owner, with
 * its resume token's room, participant and subject), both answered by a {@code join-result}; the
 * requests {@code answer}, {@code ice-candidate}, {@code mute}, {@code kick}, {@code force-mute},
 * {@code lower-hand}, {@code end-meeting}, {@code ice-restart}, {@code offer-again} (each with a
 * {@code call} number, answered by a {@code result}); the fire-and-forget {@code raise-hand},
 * {@code media-state}, {@code chat}, {@code leave}; and the heartbeat {@code ping}. Owner → origin:
 * {@code join-result}, {@code result}, {@code event} (one {@code ParticipantEvents} call) and
 * {@code pong}. Any node → owner: {@code close-room} (a room deleted over REST). Message types
 * added to version 1 after it was first deployed ({@code resume}) are dropped by a node that does
 * not know them, and the sender's wait times out as with a silent owner (see {@code RelayCodec});
 * so they did not take a new version.
 */
package io.openmeet.focus.relay;
