package io.entrawarehouse.read;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawarehouse.graph.GraphClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * Reads the direct members of every group: lists the group ids, then pages through each group's
 * {@code /members}. Nested groups come back as members of type group, never expanded. Each item
 * gets an {@code @groupId} field naming its group.
 *
 * <p>While a group is read, the first pages of the next {@code lookahead} groups are already being
 * fetched: most groups fit in one page, so the step is thousands of small requests whose latency,
 * not Graph's throughput, would otherwise bound it. Prefetched pages are only a cache.
 *
 * <p>Restart: saves the group id being read with its page link and offset under {@code
 * group_members.group}, {@code .link} and {@code .offset}. Not thread-safe.
 */
public class GroupMembersItemReader implements ItemStreamReader<JsonNode> {

  private static final Logger log = LoggerFactory.getLogger(GroupMembersItemReader.class);
  private static final String NAME = "group_members";
  private static final String DONE = "-done-";

  private final GraphClient graph;
  private final String query;
  private final boolean eventual;
  private final int lookahead;
  private List<String> groups;
  private int group = -1;
  private PageCursor cursor;
  // Cursors of the groups after the current one, in order, each with its first page requested.
  private final ArrayDeque<PageCursor> upcoming = new ArrayDeque<>();
  private String resumeGroup;
  private String resumeLink;
  private int resumeOffset;

  /**
   * @param query the query string for each members request, e.g. {@code
   *     $select=id,displayName&$top=999}
   * @param lookahead how many of the next groups' first pages to fetch ahead (1 or more)
   */
  public GroupMembersItemReader(GraphClient graph, String query, boolean eventual, int lookahead) {
    if (lookahead < 1) {
      throw new IllegalArgumentException("lookahead must be 1 or more");
    }
    this.graph = graph;
    this.query = query;
    this.eventual = eventual;
    this.lookahead = lookahead;
  }

  @Override
  public void open(ExecutionContext context) {
    if (context.containsKey(NAME + ".group")) {
      resumeGroup = context.getString(NAME + ".group");
      resumeLink = context.getString(NAME + ".link");
      resumeOffset = context.getInt(NAME + ".offset");
    }
  }

  @Override
  public JsonNode read() {
    if (DONE.equals(resumeGroup)) {
      return null;
    }
    if (groups == null) {
      start();
    }
    while (cursor != null) {
      JsonNode member = cursor.next();
      if (member != null) {
        ((ObjectNode) member).put("@groupId", groups.get(group));
        return member;
      }
      advance();
    }
    return null;
  }

  private void start() {
    groups = new ArrayList<>();
    PageCursor ids =
        new PageCursor(graph, "groups", graph.url("/groups?$select=id&$top=999"), false);
    for (JsonNode g = ids.next(); g != null; g = ids.next()) {
      groups.add(g.get("id").asText());
    }
    if (resumeGroup != null) {
      int index = groups.indexOf(resumeGroup);
      if (index >= 0) {
        group = index;
        cursor = new PageCursor(graph, "group members", membersLink(resumeGroup), eventual);
        cursor.resume(resumeLink, resumeOffset);
        fetchAhead();
        return;
      }
      log.warn(
          "group members: group {} being read when the last run stopped no longer exists; resuming from the first group (rows are deduplicated on load)",
          resumeGroup);
    }
    advance();
  }

  private void advance() {
    group++;
    if (group >= groups.size()) {
      cursor = null;
      return;
    }
    PageCursor next = upcoming.poll();
    cursor =
        next != null
            ? next
            : new PageCursor(graph, "group members", membersLink(groups.get(group)), eventual);
    fetchAhead();
  }

  /** Tops up the cursors of the groups after the current one to {@code lookahead}. */
  private void fetchAhead() {
    for (int g = group + 1 + upcoming.size();
        g < groups.size() && upcoming.size() < lookahead;
        g++) {
      PageCursor ahead =
          new PageCursor(graph, "group members", membersLink(groups.get(g)), eventual);
      ahead.prefetch();
      upcoming.add(ahead);
    }
  }

  private String membersLink(String groupId) {
    return graph.url(
        "/groups/" + URLEncoder.encode(groupId, StandardCharsets.UTF_8) + "/members?" + query);
  }

  @Override
  public void update(ExecutionContext context) {
    if (cursor != null) {
      context.putString(NAME + ".group", groups.get(group));
      context.putString(NAME + ".link", cursor.link());
      context.putInt(NAME + ".offset", cursor.offset());
    } else if (groups != null) {
      context.putString(NAME + ".group", DONE);
      context.putString(NAME + ".link", "");
      context.putInt(NAME + ".offset", 0);
    }
  }
}
