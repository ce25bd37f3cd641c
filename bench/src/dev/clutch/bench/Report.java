package dev.clutch.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Turns the outputs of {@code bench/run.sh} into the generated part of {@code docs/benchmarks.md} (between its
 * {@code bench:begin} and {@code bench:end} markers, so the hand-written reading around it stays) and two charts:
 * req/s per policy beside the single JVM, and the boot timeline of each process.
 *
 * <pre>java Report.java &lt;work dir&gt; &lt;docs dir&gt; &lt;header line&gt;</pre>
 */
public final class Report {

    private static final String BEGIN = "<!-- bench:begin (written by bench/run.sh) -->";
    private static final String END = "<!-- bench:end -->";
    private static final Color[] SERIES = {new Color(0x2E86C1), new Color(0xF39C12)};

    private Report() {
    }

    public static void main(String[] args) throws IOException {
        Path work = Path.of(args[0]);
        Path docs = Path.of(args[1]);
        String header = args[2];
        List<String> http = tableLines(work.resolve("http.txt"));
        httpChart(http, docs.resolve("bench-http.png"));
        bootChart(Files.readAllLines(work.resolve("boot-timeline.tsv")), docs.resolve("bench-boot.png"));

        List<String> section = new ArrayList<>();
        section.add(BEGIN);
        section.add("");
        section.add(header);
        section.add("");
        section.add("### Life cycle of a 2-worker cluster (`LifecycleBench`)");
        section.add("");
        section.addAll(Files.readAllLines(work.resolve("lifecycle.md")));
        section.add("");
        section.add("![Boot timeline](bench-boot.png)");
        section.add("");
        section.add("### HTTP on one shared port (`bench/http.sh`)");
        section.add("");
        section.addAll(http);
        section.add("");
        section.add("![req/s per policy](bench-http.png)");
        section.add("");
        section.add("### Agent → workers messages (`bench/messenger.sh`)");
        section.add("");
        section.add("```");
        for (String line : Files.readAllLines(work.resolve("messenger.txt"))) {
            if (line.startsWith("BENCH") || line.startsWith("peak")) {
                section.add(line);
            }
        }
        section.add("```");
        section.add("");
        section.add(END);

        Path file = docs.resolve("benchmarks.md");
        String text = Files.readString(file);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        String generated = String.join("\n", section);
        text = begin >= 0 && end > begin
                ? text.substring(0, begin) + generated + text.substring(end + END.length())
                : text + "\n" + generated + "\n";
        Files.writeString(file, text);
        System.out.println(generated);
    }

    private static List<String> tableLines(Path file) throws IOException {
        return Files.readAllLines(file).stream().filter(l -> l.startsWith("|")).toList();
    }

    /** Grouped bars: req/s of each server, keep-alive and a new connection per request. */
    private static void httpChart(List<String> table, Path png) throws IOException {
        Map<String, double[]> servers = new LinkedHashMap<>();
        double max = 1;
        for (String line : table) {
            String[] cells = line.split("\\|");
            if (cells.length < 4 || !cells[3].trim().matches("\\d+")) {
                continue;
            }
            String server = cells[1].trim();
            int series = cells[2].trim().startsWith("keep") ? 0 : 1;
            double rps = Double.parseDouble(cells[3].trim());
            servers.computeIfAbsent(server, k -> new double[2])[series] = rps;
            max = Math.max(max, rps);
        }
        int width = 720;
        int height = 400;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(image, "HTTP req/s, 2 workers vs one JVM with 2 event loops (higher is better)");
        int left = 70;
        int bottom = height - 60;
        int top = 90;
        axis(g, left, top, bottom, width - 20, max, "req/s");
        int group = (width - left - 40) / Math.max(1, servers.size());
        int bar = group / 3;
        int i = 0;
        for (Map.Entry<String, double[]> server : servers.entrySet()) {
            int x = left + 20 + i * group;
            for (int s = 0; s < 2; s++) {
                int h = (int) ((bottom - top) * server.getValue()[s] / max);
                g.setColor(SERIES[s]);
                g.fillRect(x + s * bar, bottom - h, bar - 4, h);
                g.setColor(Color.DARK_GRAY);
                g.drawString(String.format(Locale.ROOT, "%.0fk", server.getValue()[s] / 1000), x + s * bar,
                        bottom - h - 4);
            }
            g.drawString(server.getKey(), x, bottom + 18);
            i++;
        }
        legend(g, left + 10, 34, new String[] {"keep-alive", "new connection per request"});
        ImageIO.write(image, "png", png.toFile());
    }

    /** One bar per process from its launch to its ready report, in ms after the master's launch. */
    private static void bootChart(List<String> rows, Path png) throws IOException {
        int width = 720;
        int height = 120 + 40 * rows.size();
        double max = 1;
        for (String row : rows) {
            max = Math.max(max, Double.parseDouble(row.split("\t")[3]));
        }
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(image, "Boot timeline: master launch → cluster ready (ms)");
        int left = 110;
        int right = width - 30;
        int y = 60;
        for (String row : rows) {
            String[] cells = row.split("\t");
            double start = Double.parseDouble(cells[2]);
            double end = Double.parseDouble(cells[3]);
            int x0 = left + (int) ((right - left) * start / max);
            int x1 = left + (int) ((right - left) * end / max);
            g.setColor(Color.DARK_GRAY);
            g.drawString(cells[0], 10, y + 18);
            g.setColor(cells[0].equals("cluster") ? new Color(0x27AE60) : SERIES[0]);
            g.fillRect(x0, y + 4, Math.max(3, x1 - x0), 20);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "%.0f-%.0f", start, end), Math.min(x1 + 6, right - 70), y + 18);
            y += 40;
        }
        g.drawLine(left, y + 5, right, y + 5);
        for (int t = 0; t <= 4; t++) {
            int x = left + (right - left) * t / 4;
            g.drawString(String.format(Locale.ROOT, "%.0f ms", max * t / 4), x - 15, y + 22);
        }
        ImageIO.write(image, "png", png.toFile());
    }

    private static Graphics2D canvas(BufferedImage image, String title) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, 10, 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        return g;
    }

    private static void axis(Graphics2D g, int left, int top, int bottom, int right, double max, String unit) {
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1));
        g.drawLine(left, top, left, bottom);
        g.drawLine(left, bottom, right, bottom);
        for (int t = 0; t <= 4; t++) {
            int y = bottom - (bottom - top) * t / 4;
            g.drawString(String.format(Locale.ROOT, "%.0fk", max * t / 4 / 1000), 10, y + 4);
            g.drawLine(left - 3, y, left, y);
        }
        g.drawString(unit, 10, top - 10);
    }

    private static void legend(Graphics2D g, int x, int y, String[] names) {
        for (int s = 0; s < names.length; s++) {
            g.setColor(SERIES[s]);
            g.fillRect(x, y + s * 16, 12, 12);
            g.setColor(Color.DARK_GRAY);
            g.drawString(names[s], x + 18, y + s * 16 + 11);
        }
    }
}
