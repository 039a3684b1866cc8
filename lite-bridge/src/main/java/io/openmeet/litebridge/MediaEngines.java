package io.openmeet.litebridge;

import io.openmeet.litebridge.media.MediaConfig;
import io.openmeet.litebridge.media.MediaEngine;
import java.lang.reflect.InvocationTargetException;

/** Creates the production media engine (ice4j + DTLS + SRTP, built in the media package). */
final class MediaEngines {
  static final String ENGINE_CLASS = "io.openmeet.litebridge.media.Ice4jMediaEngine";

  private MediaEngines() {}

  static MediaEngine create(MediaConfig config) {
    try {
      Class<?> type = Class.forName(ENGINE_CLASS);
      return (MediaEngine) type.getConstructor(MediaConfig.class).newInstance(config);
    } catch (ClassNotFoundException | NoSuchMethodException e) {
      throw new IllegalStateException(
          ENGINE_CLASS + "(MediaConfig) is not available in this build", e);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException("the media engine failed to start: " + e.getCause(), e);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("the media engine could not be created: " + e, e);
    }
  }
}
