package io.entrawarehouse.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Properties;

/**
 * An analyst's session in a process of its own: opens a DuckDB file (read-only unless told to
 * write), prints a query's answer, and again each time a line arrives on standard input; exits when
 * standard input closes. Tests start it with the test class path.
 */
public final class DuckDbHolder {

  public static void main(String[] args) throws Exception {
    String file = args[0];
    boolean write = args.length > 2 && args[2].equals("write");
    Properties p = new Properties();
    if (!write) {
      p.setProperty("duckdb.read_only", "true");
    }
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file, p);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in))) {
      do {
        try (ResultSet r = c.createStatement().executeQuery(args[1])) {
          r.next();
          System.out.println("answer " + r.getString(1));
          System.out.flush();
        }
      } while (in.readLine() != null);
    }
  }
}
