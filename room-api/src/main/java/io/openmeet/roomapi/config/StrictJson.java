package io.openmeet.roomapi.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.Locale;

/**
 * JSON bodies mean what they say: no scalar coercion (a number is not a string, "12" and 12.5 are
 * not integers, "true" and 1 are not booleans, enums are not their index), and a string holding a
 * lone surrogate is refused instead of being stored as {@code ?}. A key may appear once per object.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

  @Override
  public void customize(ObjectMapper mapper) {
    refuse(mapper, LogicalType.Textual, CoercionInputShape.Integer, CoercionInputShape.Float);
    refuse(mapper, LogicalType.Textual, CoercionInputShape.Boolean);
    refuse(mapper, LogicalType.Integer, CoercionInputShape.String, CoercionInputShape.EmptyString);
    refuse(mapper, LogicalType.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean);
    refuse(mapper, LogicalType.Float, CoercionInputShape.String, CoercionInputShape.EmptyString);
    refuse(mapper, LogicalType.Float, CoercionInputShape.Boolean);
    refuse(mapper, LogicalType.Boolean, CoercionInputShape.String, CoercionInputShape.EmptyString);
    refuse(mapper, LogicalType.Boolean, CoercionInputShape.Integer, CoercionInputShape.Float);
    refuse(mapper, LogicalType.Enum, CoercionInputShape.Integer, CoercionInputShape.EmptyString);
    mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    mapper.enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);
    // a key given twice is ambiguous, and binding it twice into a record's constructor made Jackson
    // throw a definition error (a 500, found by the fuzzer): refuse it as malformed JSON
    mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    mapper.registerModule(
        new SimpleModule("openmeet-strict-strings")
            .addDeserializer(String.class, new NoLoneSurrogates()));
  }

  private static void refuse(ObjectMapper mapper, LogicalType type, CoercionInputShape... shapes) {
    for (CoercionInputShape shape : shapes) {
      mapper.coercionConfigFor(type).setCoercion(shape, CoercionAction.Fail);
    }
  }

  /**
   * Strings as Jackson reads them, refusing an unpaired UTF-16 surrogate (a JSON escape can make
   * one).
   */
  static final class NoLoneSurrogates extends StringDeserializer {
    private static final long serialVersionUID = 1L;

    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      String value = super.deserialize(p, ctxt);
      int at = loneSurrogate(value);
      if (at >= 0) {
        throw JsonMappingException.from(
            p,
            "lone surrogate",
            new IllegalArgumentException(
                String.format(
                    Locale.ROOT,
                    "holds the lone surrogate U+%04X at position %d",
                    (int) value.charAt(at),
                    value.codePointCount(0, at) + 1)));
      }
      return value;
    }

    static int loneSurrogate(String s) {
      if (s == null) {
        return -1;
      }
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)
            && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else if (Character.isSurrogate(c)) {
          return i;
        }
      }
      return -1;
    }
  }
}
