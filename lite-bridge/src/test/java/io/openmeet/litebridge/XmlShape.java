package io.openmeet.litebridge;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

/**
 * The structure of a stanza for comparing our XML with captured JVB XML: element names and
 * namespaces in document order, attribute names (sorted), and the values of attributes whose value
 * is protocol-defined rather than random (setup, hash, type, reason, ...). Text is ignored.
 */
final class XmlShape {
  private static final Set<String> COMPARED_VALUES =
      Set.of("type", "setup", "hash", "reason", "expire", "create", "protocol", "component");
  private static final Set<String> IGNORED_ROOT_ATTRIBUTES = Set.of("id", "to", "from", "xml:lang");

  private XmlShape() {}

  static Element parse(String xml) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      return f.newDocumentBuilder()
          .parse(new InputSource(new StringReader(xml)))
          .getDocumentElement();
    } catch (Exception e) {
      throw new IllegalArgumentException("not XML: " + xml, e);
    }
  }

  /** One line per element, indented by depth; elements named in `skip` are left out. */
  static String of(Element root, Set<String> skip) {
    StringBuilder sb = new StringBuilder();
    append(sb, root, 0, skip);
    return sb.toString();
  }

  private static void append(StringBuilder sb, Element e, int depth, Set<String> skip) {
    if (skip.contains(e.getLocalName())) {
      return;
    }
    sb.append("  ".repeat(depth)).append(e.getLocalName());
    // The stream's default namespace (jabber:client) is implicit on the wire; ignore it.
    if (depth > 0 && e.getNamespaceURI() != null && !e.getNamespaceURI().equals("jabber:client")) {
      sb.append(" {").append(e.getNamespaceURI()).append('}');
    }
    TreeMap<String, String> attrs = new TreeMap<>();
    NamedNodeMap map = e.getAttributes();
    for (int i = 0; i < map.getLength(); i++) {
      Node a = map.item(i);
      String name = a.getNodeName();
      if (name.equals("xmlns") || name.startsWith("xmlns:")) {
        continue;
      }
      if (depth == 0 && IGNORED_ROOT_ATTRIBUTES.contains(name)) {
        continue;
      }
      attrs.put(name, COMPARED_VALUES.contains(name) ? a.getNodeValue() : "*");
    }
    sb.append(' ').append(attrs).append('\n');
    List<Element> children = new ArrayList<>();
    for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element child) {
        children.add(child);
      }
    }
    for (Element child : children) {
      append(sb, child, depth + 1, skip);
    }
  }
}
