package io.openmeet.roomapi.signalling;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.openmeet.roomapi.rest.ClientAddress;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.UserData;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.VertxHandler;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Prepares each signalling socket while it is still an HTTP upgrade request: remembers the client
 * address (the per-address cap counts by it) and puts a {@link FrameGuard} into the connection's
 * Netty pipeline, where it sees raw frames (websockets-next only hands over decoded strings). The
 * guard needs Vert.x's connection class; should that ever change, sockets work without it and a
 * warning says so.
 */
@ApplicationScoped
public class SignallingUpgrade implements HttpUpgradeCheck {

  /** The client address of a signalling connection, in its user data. */
  static final UserData.TypedKey<String> CLIENT_ADDRESS =
      UserData.TypedKey.forString("openmeet.client-address");

  private static final Logger LOG = Logger.getLogger(SignallingUpgrade.class);

  private final long maxFrameBytes;
  private final String tooLargeFrame;
  private final SignallingMetrics metrics;
  private volatile boolean warned;

  SignallingUpgrade(SignallingConfig config, ObjectMapper mapper, SignallingMetrics metrics) {
    this.metrics = metrics;
    this.maxFrameBytes = config.maxFrameBytes();
    this.tooLargeFrame =
        new MessageCodec(mapper, Integer.MAX_VALUE)
            .encode(
                ServerMessage.Error.of(
                    SignallingError.FRAME_TOO_LARGE,
                    "frames are limited to " + maxFrameBytes + " bytes; closing"));
  }

  @Override
  public boolean appliesTo(String endpointId) {
    return SignallingSocket.ENDPOINT_ID.equals(endpointId);
  }

  @Override
  public Uni<CheckResult> perform(HttpUpgradeContext context) {
    HttpServerRequest request = context.httpRequest();
    context.userData().put(CLIENT_ADDRESS, ClientAddress.of(request));
    ChannelHandlerContext vertx = vertxHandler(request);
    if (vertx != null) {
      ChannelPipeline pipeline = vertx.pipeline();
      if (pipeline.get(FrameGuard.NAME) == null) {
        // right before Vert.x: after the WebSocket decoder that the upgrade puts where the HTTP
        // codec is now
        pipeline.addBefore(
            vertx.name(),
            FrameGuard.NAME,
            new FrameGuard(maxFrameBytes, tooLargeFrame, metrics::socketClosed));
      }
    } else if (!warned) {
      warned = true;
      LOG.warnf(
          "signalling sockets run without the frame guard (no size or UTF-8 check before Vert.x):"
              + " no Vert.x handler in the pipeline of a %s",
          request.connection().getClass().getName());
    }
    return CheckResult.permitUpgrade();
  }

  /** The pipeline slot of Vert.x's own handler for this request's connection, or null. */
  private static ChannelHandlerContext vertxHandler(HttpServerRequest request) {
    if (!(request.connection() instanceof ConnectionBase connection)) {
      return null;
    }
    ChannelPipeline pipeline = connection.channel().pipeline();
    return pipeline.context(VertxHandler.class);
  }
}
