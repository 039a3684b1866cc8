package io.openmeet.focus.colibri;

import java.io.InputStream;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The stanzas of colibri2-jvb-transcript.xml (a real JVB 2.3 behind Prosody 0.12.3, captured for
 * the project), per check, as XML strings for Smack's parser.
 */
final class JvbTranscript {

  private final Document doc;

  JvbTranscript() throws Exception {
    try (InputStream in =
        JvbTranscript.class.getResourceAsStream("/colibri2/colibri2-jvb-transcript.xml")) {
      if (in == null) {
        throw new IllegalStateException(
            "missing test resource colibri2/colibri2-jvb-transcript.xml");
      }
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      doc = f.newDocumentBuilder().parse(in);
    }
  }

  /** The {@code n}th stanza sent in the check (0-based). */
  String sent(String check, int n) throws Exception {
    return stanzas(check, "sent").get(n);
  }

  /** The {@code n}th stanza received in the check (0-based). */
  String received(String check, int n) throws Exception {
    return stanzas(check, "received").get(n);
  }

  private List<String> stanzas(String check, String direction) throws Exception {
    NodeList checks = doc.getElementsByTagName("check");
    for (int i = 0; i < checks.getLength(); i++) {
      Element c = (Element) checks.item(i);
      if (!check.equals(c.getAttribute("name"))) {
        continue;
      }
      List<String> result = new ArrayList<>();
      NodeList wrappers = c.getElementsByTagName(direction);
      for (int j = 0; j < wrappers.getLength(); j++) {
        Node child = wrappers.item(j).getFirstChild();
        while (child != null && child.getNodeType() != Node.ELEMENT_NODE) {
          child = child.getNextSibling();
        }
        // On the c2s stream every stanza is in jabber:client; children without their own
        // namespace (Prosody strips the one of an error's <text>) inherit it.
        String xml = serialize(child);
        if (xml.startsWith("<iq ") && !xml.startsWith("<iq xmlns=")) {
          xml = "<iq xmlns=\"jabber:client\" " + xml.substring(4);
        }
        result.add(xml);
      }
      return result;
    }
    throw new IllegalArgumentException("no check " + check + " in the transcript");
  }

  private static String serialize(Node node) throws Exception {
    var t = TransformerFactory.newInstance().newTransformer();
    t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
    StringWriter out = new StringWriter();
    t.transform(new DOMSource(node), new StreamResult(out));
    return out.toString();
  }
}
