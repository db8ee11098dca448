package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.b3lb.node.upload.MultipartTarEntity.TarReadException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MultipartTarEntityTest {

    @TempDir
    Path dir;

    @Test
    void declaredLengthIsExactlyWhatIsWrittenAndFramingIsMultipart() throws Exception {
        Path tar = Recordings.tar(dir, "ab\"c", 3 * MultipartTarEntity.SLICE + 17);
        Recording r = Recording.ofMarker(dir.resolve("ab\"c.ready"));
        UploadProgress p = new UploadProgress(r, 3 * MultipartTarEntity.SLICE + 17);
        MultipartTarEntity e = MultipartTarEntity.of(r, 3L * MultipartTarEntity.SLICE + 17, "recording", p);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        e.writeTo(out);

        assertThat((long) out.size()).isEqualTo(e.getContentLength());
        assertThat(p.sent()).isEqualTo(e.getContentLength());
        // what the log calls the recording's progress: tar bytes, not framing (issue 10: "239.0 KiB of 238.8 KiB")
        assertThat(p.tarSent()).isEqualTo(3L * MultipartTarEntity.SLICE + 17);
        assertThat(e.isChunked()).isFalse();
        String boundary = e.getContentType().substring(e.getContentType().indexOf("boundary=") + 9);
        String text = out.toString(StandardCharsets.ISO_8859_1);
        assertThat(text).startsWith("--" + boundary + "\r\nContent-Disposition: form-data; name=\"recording\"; "
                + "filename=\"ab%22c.tar\"\r\nContent-Type: application/x-tar\r\n\r\n");
        assertThat(text).endsWith("\r\n--" + boundary + "--\r\n");
        assertThat(tar).exists();
    }

    @Test
    void largeWritesGoOutInSlicesNotTinyChunks() throws Exception {
        Recordings.tar(dir, "big", 4 * MultipartTarEntity.SLICE);
        Recording r = Recording.ofMarker(dir.resolve("big.ready"));
        int[] writes = {0};
        OutputStream counting = new FilterOutputStream(OutputStream.nullOutputStream()) {
            @Override
            public void write(byte[] b, int off, int len) {
                writes[0]++;
            }
        };
        MultipartTarEntity.of(r, 4L * MultipartTarEntity.SLICE, "recording", new UploadProgress(r, 0)).writeTo(counting);
        assertThat(writes[0]).isLessThanOrEqualTo(6);
    }

    @Test
    void aTarThatShrankIsAReadErrorNotATruncatedUpload() throws Exception {
        Recordings.tar(dir, "short", 100);
        Recording r = Recording.ofMarker(dir.resolve("short.ready"));
        MultipartTarEntity e = MultipartTarEntity.of(r, 200, "recording", new UploadProgress(r, 200));
        assertThatThrownBy(() -> e.writeTo(OutputStream.nullOutputStream()))
                .isInstanceOf(TarReadException.class).hasMessageContaining("shrank");
    }

    @Test
    void aSymlinkedTarIsNotOpened() throws Exception {
        Path outside = Recordings.tar(dir, "outside", 100);
        java.nio.file.Files.createSymbolicLink(dir.resolve("linked.tar"), outside);
        Recording r = Recording.ofMarker(dir.resolve("linked.ready"));
        MultipartTarEntity e = MultipartTarEntity.of(r, 100, "recording", new UploadProgress(r, 100));
        assertThatThrownBy(() -> e.writeTo(OutputStream.nullOutputStream())).isInstanceOf(TarReadException.class);
    }

    @Test
    void severalFilePartsForB3lb3() throws Exception {
        Path a = Recordings.tar(dir, "part-a", 10);
        Path b = Recordings.tar(dir, "part-b", 20);
        Recording r = Recording.ofMarker(dir.resolve("part-a.ready"));
        UploadProgress p = new UploadProgress(r, 30);
        MultipartTarEntity e = MultipartTarEntity.of(java.util.List.of(
                new MultipartTarEntity.Part("file", "a.tar", "application/x-tar", a, 10),
                new MultipartTarEntity.Part("meta", "b.xml", "application/xml", b, 20)), p);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        e.writeTo(out);
        String text = out.toString(StandardCharsets.ISO_8859_1);
        assertThat((long) out.size()).isEqualTo(e.getContentLength());
        assertThat(text).contains("name=\"file\"; filename=\"a.tar\"\r\nContent-Type: application/x-tar")
                .contains("name=\"meta\"; filename=\"b.xml\"\r\nContent-Type: application/xml");
        assertThat(p.tarSent()).isEqualTo(30);
    }

    @Test
    void nonAsciiNamesAreSentAsUtf8() throws IOException {
        Recordings.tar(dir, "ü录", 1);
        Recording r = Recording.ofMarker(dir.resolve("ü录.ready"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MultipartTarEntity.of(r, 1, "recording", new UploadProgress(r, 1)).writeTo(out);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("filename=\"ü录.tar\"");
    }
}
