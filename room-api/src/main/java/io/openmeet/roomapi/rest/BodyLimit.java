package io.openmeet.roomapi.rest;

import io.openmeet.roomapi.config.OpenmeetConfig;
import io.openmeet.roomapi.service.ApiException;
import io.openmeet.roomapi.service.ErrorCode;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses request bodies above openmeet.http.max-body-bytes with 413: at once when Content-Length
 * says so, and while reading when the body is chunked.
 */
@Provider
public class BodyLimit implements ReaderInterceptor {

  // providers are built while the application is deployed, before config mappings exist: read late
  private final jakarta.inject.Provider<OpenmeetConfig> config;
  private volatile long max = -1;

  BodyLimit(jakarta.inject.Provider<OpenmeetConfig> config) {
    this.config = config;
  }

  private long max() {
    long m = max;
    if (m < 0) {
      m = config.get().http().maxBodyBytes();
      max = m;
    }
    return m;
  }

  @ServerRequestFilter(preMatching = true)
  public void checkDeclaredLength(ContainerRequestContext request) {
    String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
    if (length == null) {
      return;
    }
    long declared;
    try {
      declared = Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      throw new ApiException(ErrorCode.BAD_REQUEST, "Content-Length is not a number");
    }
    if (declared > max()) {
      throw tooLarge();
    }
  }

  @Override
  public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
    context.setInputStream(new Bounded(context.getInputStream()));
    return context.proceed();
  }

  private ApiException tooLarge() {
    return new ApiException(
        ErrorCode.PAYLOAD_TOO_LARGE, "request bodies are limited to " + max() + " bytes");
  }

  private final class Bounded extends FilterInputStream {
    private long read;

    Bounded(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n > 0) {
        count(n);
      }
      return n;
    }

    private void count(int n) {
      read += n;
      if (read > max()) {
        throw tooLarge();
      }
    }
  }
}
