package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import io.kubernetes.client.openapi.models.V1CronJob;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker/kubernetes/cronjob.yaml: what Kubernetes requires of a pod failure policy (a pod that is
 * never restarted in place, a container of that name, exit codes 1 to 255), that the exits that end
 * the same on every try fail the job at once, and a pinned image. No cluster runs here to apply it.
 */
class CronJobTest {

  @Test
  void badSettingsAndPartialRunsFailTheJobAtOnceAndTheImageIsPinned() throws Exception {
    Map<String, Object> cronJob = null;
    for (Object doc :
        new Yaml().loadAll(Files.readString(Path.of("docker/kubernetes/cronjob.yaml")))) {
      Map<String, Object> m = map(doc);
      if ("CronJob".equals(m.get("kind"))) {
        cronJob = m;
      }
    }
    assertThat(cronJob).as("a CronJob").isNotNull();
    Map<String, Object> spec = map(cronJob.get("spec"));
    assertThat(spec.get("concurrencyPolicy")).isEqualTo("Forbid");
    Map<String, Object> job = map(map(spec.get("jobTemplate")).get("spec"));
    assertThat((Integer) job.get("activeDeadlineSeconds")).isPositive();
    Map<String, Object> pod = map(map(job.get("template")).get("spec"));
    assertThat(pod.get("restartPolicy")).as("required by podFailurePolicy").isEqualTo("Never");
    List<String> containers = new ArrayList<>();
    for (Object c : (List<?>) pod.get("containers")) {
      containers.add((String) map(c).get("name"));
      String image = (String) map(c).get("image");
      assertThat(image).as("a version or digest").containsPattern("(:[\\w.-]+|@sha256:\\w+)$");
      assertThat(image).doesNotEndWith(":latest");
    }

    List<Object> failJob = new ArrayList<>();
    for (Object r : (List<?>) map(job.get("podFailurePolicy")).get("rules")) {
      Map<String, Object> rule = map(r);
      if ("FailJob".equals(rule.get("action"))) {
        Map<String, Object> codes = map(rule.get("onExitCodes"));
        assertThat(containers).contains((String) codes.get("containerName"));
        assertThat(codes.get("operator")).isEqualTo("In");
        failJob.addAll((List<?>) codes.get("values"));
      }
    }
    assertThat(failJob)
        .as("bad input and partial: the same on every try")
        .containsExactlyInAnyOrder(LoadCommands.BAD_INPUT, LoadCommands.PARTIAL);
  }

  /**
   * Every document of the file against the Kubernetes API's schema, as the API server would check
   * it: no field it lacks (a misspelt podFailurePolicy would be dropped by a lenient client and the
   * policy silently lost), every required one, each of its type.
   */
  @Test
  void everyDocumentIsValidAgainstTheKubernetesSchema() throws Exception {
    int validated = 0;
    for (Object doc :
        new Yaml().loadAll(Files.readString(Path.of("docker/kubernetes/cronjob.yaml")))) {
      JsonElement json = new Gson().toJsonTree(doc);
      switch (String.valueOf(map(doc).get("kind"))) {
        case "CronJob" -> V1CronJob.validateJsonElement(json);
        case "PersistentVolumeClaim" -> V1PersistentVolumeClaim.validateJsonElement(json);
        default -> throw new AssertionError("no schema named for " + map(doc).get("kind"));
      }
      validated++;
    }
    assertThat(validated).isEqualTo(2);
    // and the check is strict: a misspelt field of the policy is refused
    Map<String, Object> cronJob = null;
    for (Object doc :
        new Yaml().loadAll(Files.readString(Path.of("docker/kubernetes/cronjob.yaml")))) {
      if ("CronJob".equals(map(doc).get("kind"))) {
        cronJob = map(doc);
      }
    }
    Map<String, Object> job = map(map(map(cronJob.get("spec")).get("jobTemplate")).get("spec"));
    job.put("podFailurePolcy", job.remove("podFailurePolicy"));
    JsonElement misspelt = new Gson().toJsonTree(cronJob);
    assertThatThrownBy(() -> V1CronJob.validateJsonElement(misspelt))
        .hasMessageContaining("podFailurePolcy");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    assertThat(o).isInstanceOf(Map.class);
    return (Map<String, Object>) o;
  }
}
