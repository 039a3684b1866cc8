package io.openmeet.litebridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.litebridge.colibri2.Colibri2RequestHandler;
import io.openmeet.litebridge.conference.Conferences;
import io.openmeet.litebridge.media.Ice4jMediaEngine;
import io.openmeet.litebridge.media.MediaConfig;
import io.openmeet.litebridge.media.MediaEngine;
import io.openmeet.litebridge.xmpp.XmppProviders;
import java.io.InputStream;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.jitsi.xmpp.extensions.colibri2.ConferenceModifyIQ;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.util.PacketParserUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Replays every request of the captured JVB session (src/test/resources/jvb/
 * colibri2-jvb-transcript.xml) through our Colibri2 handler, in order, and compares the XML the
 * bridge would put on the wire with what the real JVB answered, element by element.
 */
class Colibri2WireReplayTest {
  private static final List<Exchange> EXCHANGES = new ArrayList<>();

  private record Exchange(String check, String sent, String received) {}

  @BeforeAll
  static void loadTranscript() throws Exception {
    XmppProviders.register();
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    Document doc;
    try (InputStream in =
        Colibri2WireReplayTest.class.getResourceAsStream("/jvb/colibri2-jvb-transcript.xml")) {
      doc = f.newDocumentBuilder().parse(in);
    }
    NodeList checks = doc.getElementsByTagName("check");
    for (int i = 0; i < checks.getLength(); i++) {
      Element check = (Element) checks.item(i);
      String sent = null;
      for (Node n = check.getFirstChild(); n != null; n = n.getNextSibling()) {
        if (!(n instanceof Element e)) {
          continue;
        }
        if (e.getLocalName().equals("sent")) {
          sent = serialize(firstElement(e));
        } else if (e.getLocalName().equals("received") && sent != null) {
          String received = serialize(firstElement(e));
          if (sent.contains("jitsi:colibri2")) {
            EXCHANGES.add(new Exchange(check.getAttribute("name"), sent, received));
          }
          sent = null;
        }
      }
    }
  }

  @Test
  void theRealMediaEngineAnswersEveryCapturedRequestWithJvbsShape() throws Exception {
    try (Ice4jMediaEngine engine =
        new Ice4jMediaEngine(new MediaConfig(0, List.of("127.0.0.1"), List.of()))) {
      replay(engine);
    }
  }

  @Test
  void theRecordingEngineAnswersEveryCapturedRequestWithJvbsShape() throws Exception {
    replay(new RecordingMediaEngine());
  }

  private static void replay(MediaEngine engine) throws Exception {
    assertThat(EXCHANGES).hasSizeGreaterThanOrEqualTo(11);
    Conferences conferences =
        new Conferences(
            engine,
            new MutableClock(Instant.parse("2026-11-27T18:00:00Z")),
            Duration.ofMinutes(1),
            Duration.ofMinutes(1),
            new Conferences.Listener() {});
    // The captured JVB had websockets disabled, so its transports carry no web-socket URL.
    Colibri2RequestHandler handler =
        new Colibri2RequestHandler(conferences, engine::localFingerprint, (m, e, p) -> null);

    for (Exchange exchange : EXCHANGES) {
      IQ request = PacketParserUtils.parseStanza(exchange.sent());
      request.setFrom(JidCreate.from("jvbbrewery@internal.auth.meet.local/focus"));
      assertThat(request).as(exchange.check()).isInstanceOf(ConferenceModifyIQ.class);
      IQ response = handler.handle((ConferenceModifyIQ) request);
      String ours = XmlShape.of(XmlShape.parse(response.toXML().toString()), Set.of("text"));
      String jvb = XmlShape.of(XmlShape.parse(exchange.received()), Set.of("text"));
      assertThat(ours).as("response to %s: %s", exchange.check(), exchange.sent()).isEqualTo(jvb);
      if (response.getType() == IQ.Type.error && exchange.received().contains("<text")) {
        String jvbText =
            XmlShape.parse(exchange.received())
                .getElementsByTagNameNS("*", "text")
                .item(0)
                .getTextContent();
        if (!jvbText.contains("Endpoint not found")
            || exchange.check().equals("unknown-endpoint")) {
          assertThat(response.getError().getDescriptiveText()).isEqualTo(jvbText);
        }
      }
    }
  }

  private static Element firstElement(Element parent) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e) {
        return e;
      }
    }
    throw new IllegalStateException("empty " + parent.getLocalName());
  }

  private static String serialize(Element e) throws Exception {
    var t = TransformerFactory.newInstance().newTransformer();
    t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
    StringWriter w = new StringWriter();
    t.transform(new DOMSource(e), new StreamResult(w));
    return w.toString();
  }
}
