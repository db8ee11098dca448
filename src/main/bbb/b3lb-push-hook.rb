#!/usr/bin/ruby
# frozen_string_literal: true
#
# b3lb-node recording hook. The package installs this one file twice, and BigBlueButton runs every
# *.rb there:
#   post_archive/: `ruby <script> -m <meeting_id>`, once the archive step passed its check;
#   post_publish/: `ruby <script> -m <meeting_id> -f <format>`, once per published format.
# Each run acts only for the protocol it serves (b3lb.protocol, as the service reads it):
#   spec: after archiving, packs the raw recording into <recording-dir>/<id>.tar, then writes an
#         empty <id>.ready. Does nothing after publishing.
#   b3lb: after publishing the presentation format only, packs the published presentation (its
#         contents at the tar's root, as B3LB's own pusher does) into <id>.tar, copies its
#         metadata.xml to <id>.meta.xml, then writes <id>.ready holding B3LB's nonce and a newline.
#         Recordings without the nonce did not come through B3LB and are left alone. Does nothing
#         after archiving.
# The b3lb-node service uploads every tar whose marker it finds and removes the marker after B3LB
# accepted it.
#
# Every file is written as <name>.tmp, synced to disk and renamed, the marker last: a marker never
# points at a half-written tar or metadata file, whatever crashes when. A tar is not started when
# the recording directory's filesystem has less free space than the source directory's size plus
# 10 % plus B3LB_FREE_SPACE_MARGIN (default 64 MiB): a half-written tar on a full disk helps nobody.
#
# Environment (for tests and unusual layouts):
#   B3LB_PROTOCOL          spec or b3lb (default: b3lb.protocol from the service's config file, else spec)
#   B3LB_RAW_DIR           parent of the raw recordings (default /var/bigbluebutton/recording/raw)
#   B3LB_PUBLISHED_DIR     parent of the published presentations
#                          (default /var/bigbluebutton/published/presentation)
#   B3LB_RECORDING_DIR     where tar and marker go (default: b3lb.recording-dir from the service's
#                          config file, else /var/bigbluebutton/recording/status/archived)
#   B3LB_CONFIG            the service's config file (default /etc/b3lb-node/application.properties)
#   B3LB_RECORD_META_TAG   the meeting metadata holding B3LB's nonce (default b3lb-recordset,
#                          B3LB's B3LB_RECORD_META_DATA_TAG)
#   B3LB_FREE_SPACE_MARGIN bytes kept free on top of the tar's expected size (default 67108864)
#
# BBB only logs a failing hook and never retries it, so this script logs what happened and what
# to do to /var/log/bigbluebutton/b3lb-push-hook.log (stderr when that is not writable).

require 'optparse'
require 'fileutils'
require 'logger'
require 'open3'
require 'find'
require 'cgi'

DEFAULT_RAW_DIR = '/var/bigbluebutton/recording/raw'
DEFAULT_PUBLISHED_DIR = '/var/bigbluebutton/published/presentation'
DEFAULT_RECORDING_DIR = '/var/bigbluebutton/recording/status/archived'
DEFAULT_CONFIG = '/etc/b3lb-node/application.properties'
DEFAULT_META_TAG = 'b3lb-recordset'
DEFAULT_FREE_SPACE_MARGIN = 64 * 1024 * 1024
LOG_FILE = '/var/log/bigbluebutton/b3lb-push-hook.log'
# BBB ids are hex digits and dashes. The first character is a letter or digit: the service's file
# consumer skips hidden files, a leading dash reads as an option to tar, and the cleanup (Java's
# RetentionRule.recordingId) removes exactly the tars whose names this pattern accepts.
VALID_ID = /\A[A-Za-z0-9][A-Za-z0-9._-]*\z/
# B3LB's NONCE_CHAR_POOL (b3lb/rest/b3lb/constants.py); its nonces are 64 long, the column 100 at most
VALID_NONCE = /\A[A-Za-z0-9!@*()_-]{1,100}\z/
PROTOCOLS = %w[spec b3lb].freeze

def logger
  @logger ||= begin
    out = File.open(LOG_FILE, 'a')
    out.sync = true
    Logger.new(out)
  rescue SystemCallError, IOError
    Logger.new($stderr)
  end.tap do |l|
    l.progname = 'b3lb-push-hook'
    l.level = Logger::INFO
  end
end

# A key from the service's properties file, so admins configure it in one place. Properties
# syntax beyond `key=value` / `key: value` lines (continuations, escapes) is not needed for a
# path or a word and not supported.
def configured(wanted)
  file = ENV.fetch('B3LB_CONFIG', DEFAULT_CONFIG)
  return nil unless File.readable?(file)

  File.foreach(file) do |line|
    line = line.strip
    next if line.empty? || line.start_with?('#', '!')

    key, value = line.split(/\s*[=:]\s*|\s+/, 2)
    return value.strip if key == wanted && value && !value.strip.empty?
  end
  nil
end

def setting(env_name, key, default)
  value = ENV[env_name]
  value = configured(key) if value.nil? || value.empty?
  value.nil? || value.empty? ? default : value
end

def recording_dir
  setting('B3LB_RECORDING_DIR', 'b3lb.recording-dir', DEFAULT_RECORDING_DIR)
end

def protocol
  setting('B3LB_PROTOCOL', 'b3lb.protocol', 'spec').strip
end

def fsync_path(path)
  File.open(path, 'r', &:fsync)
rescue SystemCallError
  # directories cannot be opened for fsync on every filesystem; the rename is still atomic
  nil
end

# Runs tar with an argument list, never a shell: the id cannot be interpreted as anything.
# Returns tar's complaint, or nil on success.
def make_tar(tmp, parent, entry)
  output, status = Open3.capture2e('tar', '-cf', tmp, '-C', parent, entry, stdin_data: '')
  status.success? ? nil : output.strip
end

# Bytes in regular files below dir, not following links: what the tar will roughly hold.
def tree_size(dir)
  total = 0
  Find.find(dir) do |path|
    st = File.lstat(path)
    total += st.size if st.file?
  end
  total
end

# Free bytes for unprivileged users on the filesystem of dir (statvfs through coreutils' stat:
# Ruby has no statvfs of its own), or nil when it cannot be read.
def free_bytes(dir)
  out, status = Open3.capture2e('stat', '-f', '-c', '%a %S', dir, stdin_data: '')
  return nil unless status.success?

  avail, block = out.split.map { |v| Integer(v, 10) }
  avail * block
rescue ArgumentError, TypeError, SystemCallError
  nil
end

def free_space_margin
  value = ENV['B3LB_FREE_SPACE_MARGIN'].to_s
  return DEFAULT_FREE_SPACE_MARGIN if value.empty?

  Integer(value, 10)
rescue ArgumentError
  logger.warn("B3LB_FREE_SPACE_MARGIN=#{value.inspect} is not a number of bytes; using #{DEFAULT_FREE_SPACE_MARGIN}")
  DEFAULT_FREE_SPACE_MARGIN
end

def mib(bytes)
  format('%.1f MiB', bytes / 1048576.0)
end

# true when a tar of source fits on dir's filesystem with the margin; else logs why not
def room_for_tar?(meeting_id, source, dir, rerun)
  size = tree_size(source)
  margin = free_space_margin
  need = size + (size / 10) + margin
  free = free_bytes(dir)
  if free.nil?
    logger.warn("#{meeting_id}: cannot read the free space of #{dir}; packing #{mib(size)} anyway")
    return true
  end
  return true if free >= need

  logger.error("#{meeting_id}: not packing #{source} (#{mib(size)}): #{mib(free)} free on the filesystem of " \
               "#{dir}, #{mib(need)} needed (size + 10 % + #{mib(margin)} margin); BBB's files are left alone. " \
               "Free space there (b3lb-node clean --dry-run lists what the cleanup may delete), then run: #{rerun}")
  false
end

# The nonce from the raw events.xml's <metadata tag="..."> (BBB keeps every meta_ parameter of
# the create call there). Reads only up to that element: events.xml can be hundreds of MiB.
def nonce_from_events(path, tag)
  wanted = tag.downcase
  buffer = +''
  File.open(path, 'rb') do |f|
    while (chunk = f.read(65_536))
      buffer << chunk.force_encoding(Encoding::BINARY)
      if (m = buffer.match(/<metadata\b([^>]*)>/))
        m[1].scan(/([^\s=\/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/) do |name, dq, sq|
          return CGI.unescapeHTML((dq || sq).force_encoding(Encoding::UTF_8)) if name.downcase == wanted
        end
        return nil
      end
      # the metadata element comes before the first event; a recording without it has no nonce
      return nil if buffer.include?('<event ')

      cut = buffer.rindex('<')
      buffer = buffer[cut..] if cut && buffer.size > 1_048_576
    end
  end
  nil
end

# The nonce from the published metadata.xml's <meta><tag>...</tag></meta>, for a re-run after
# BBB removed the raw files.
def nonce_from_metadata(path, tag)
  text = File.read(path, mode: 'rb').force_encoding(Encoding::UTF_8)
  m = text.match(/<#{Regexp.escape(tag)}>([^<]*)<\/#{Regexp.escape(tag)}>/i)
  m && CGI.unescapeHTML(m[1].strip)
end

def write_atomically(path, content)
  tmp = "#{path}.tmp"
  File.open(tmp, 'w') do |f|
    f.write(content)
    f.fsync
  end
  File.rename(tmp, path)
rescue StandardError
  File.delete(tmp) if File.exist?(tmp)
  raise
end

def copy_atomically(source, path)
  tmp = "#{path}.tmp"
  FileUtils.cp(source, tmp)
  fsync_path(tmp)
  File.rename(tmp, path)
rescue StandardError
  File.delete(tmp) if File.exist?(tmp)
  raise
end

# spec, after archiving: the raw recording as <id>/... in the tar
def archive_raw(meeting_id, dir, rerun)
  raw = File.join(ENV.fetch('B3LB_RAW_DIR', DEFAULT_RAW_DIR), meeting_id)
  tar = File.join(dir, "#{meeting_id}.tar")
  if File.file?(tar)
    logger.info("#{meeting_id}: #{tar} already exists, marking it for upload again")
  else
    unless File.directory?(raw)
      logger.warn("#{meeting_id}: no raw recording at #{raw}; nothing to upload " \
                  '(was the meeting recorded? check B3LB_RAW_DIR)')
      return 0
    end
    return 1 unless recording_dir_exists?(meeting_id, dir)
    return 0 unless room_for_tar?(meeting_id, raw, dir, rerun)
    return 1 unless pack(meeting_id, tar, File.dirname(raw), File.basename(raw), raw, rerun)
  end
  mark(meeting_id, dir, tar, '')
end

# b3lb, after publishing the presentation: its contents at the tar's root, plus metadata.xml
def archive_published(meeting_id, dir, rerun)
  tag = ENV['B3LB_RECORD_META_TAG'].to_s.empty? ? DEFAULT_META_TAG : ENV['B3LB_RECORD_META_TAG']
  published = File.join(ENV.fetch('B3LB_PUBLISHED_DIR', DEFAULT_PUBLISHED_DIR), meeting_id)
  metadata = File.join(published, 'metadata.xml')
  events = File.join(ENV.fetch('B3LB_RAW_DIR', DEFAULT_RAW_DIR), meeting_id, 'events.xml')
  nonce = if File.file?(events)
            nonce_from_events(events, tag)
          elsif File.file?(metadata)
            nonce_from_metadata(metadata, tag)
          end
  if nonce.nil? || nonce.empty?
    logger.info("#{meeting_id}: no #{tag} in #{events} (or #{metadata}): the meeting was not created " \
                'through B3LB, so there is nothing to upload')
    return 0
  end
  unless VALID_NONCE.match?(nonce)
    logger.error("#{meeting_id}: #{tag} #{nonce[0, 120].inspect} is not a B3LB nonce (1-100 of " \
                 "A-Z a-z 0-9 ! @ * ( ) - _); nothing done. Check B3LB_RECORD_META_TAG against B3LB's " \
                 'B3LB_RECORD_META_DATA_TAG')
    return 1
  end
  unless File.file?(metadata)
    logger.warn("#{meeting_id}: no published presentation at #{published} (no metadata.xml); nothing to " \
                "upload (check B3LB_PUBLISHED_DIR), or run this hook again after publishing: #{rerun}")
    return 0
  end
  return 1 unless recording_dir_exists?(meeting_id, dir)
  return 0 unless room_for_tar?(meeting_id, published, dir, rerun)

  tar = File.join(dir, "#{meeting_id}.tar")
  # always packed anew: bbb-record --rebuild publishes a new copy under the same id
  return 1 unless pack(meeting_id, tar, published, '.', published, rerun) do
    copy_atomically(metadata, File.join(dir, "#{meeting_id}.meta.xml"))
  end

  mark(meeting_id, dir, tar, "#{nonce}\n")
end

def recording_dir_exists?(meeting_id, dir)
  return true if File.directory?(dir)

  logger.error("#{meeting_id}: recording directory #{dir} does not exist; create it " \
               'or set b3lb.recording-dir, then run this hook again')
  false
end

# tar into <tar>.tmp, sync, run the block (files that must exist before the tar), rename
def pack(meeting_id, tar, parent, entry, source, rerun)
  tmp = "#{tar}.tmp"
  File.delete(tmp) if File.exist?(tmp)
  complaint = make_tar(tmp, parent, entry)
  if complaint
    File.delete(tmp) if File.exist?(tmp)
    logger.error("#{meeting_id}: tar of #{source} into #{tmp} failed: #{complaint}; fix it and run: #{rerun}")
    return false
  end
  fsync_path(tmp)
  yield if block_given?
  File.rename(tmp, tar)
  fsync_path(File.dirname(tar))
  true
rescue StandardError
  File.delete(tmp) if File.exist?(tmp)
  raise
end

# the marker last, written whole (tmp + rename): the service reads the nonce from it
def mark(meeting_id, dir, tar, content)
  write_atomically(File.join(dir, "#{meeting_id}.ready"), content)
  fsync_path(dir)
  logger.info("#{meeting_id}: #{tar} (#{File.size(tar)} bytes) marked for upload")
  0
end

def main(argv)
  meeting_id = nil
  format = nil
  parser = OptionParser.new do |o|
    o.banner = 'usage: ruby b3lb-push-hook.rb -m MEETING_ID [-f FORMAT]'
    o.on('-m', '--meeting-id ID', 'the meeting id BigBlueButton passes') { |v| meeting_id = v }
    o.on('-f', '--format FORMAT', 'the playback format, passed after publishing') { |v| format = v }
  end
  begin
    parser.parse!(argv)
  rescue OptionParser::ParseError => e
    logger.error("#{e.message}; #{parser.banner}")
    return 1
  end

  if meeting_id.nil? || meeting_id.empty?
    logger.error("no meeting id given; #{parser.banner}")
    return 1
  end
  unless VALID_ID.match?(meeting_id) && meeting_id != '.' && meeting_id != '..'
    logger.error("refusing meeting id #{meeting_id.inspect}: only letters, digits, '.', '_' and '-' " \
                 'are allowed (and no leading dot); nothing done')
    return 1
  end

  proto = protocol
  unless PROTOCOLS.include?(proto)
    logger.error("#{meeting_id}: invalid b3lb.protocol #{proto.inspect} (B3LB_PROTOCOL or " \
                 "#{ENV.fetch('B3LB_CONFIG', DEFAULT_CONFIG)}): must be spec or b3lb; nothing done")
    return 1
  end
  rerun = "sudo -u bigbluebutton ruby #{File.expand_path(__FILE__)} -m #{meeting_id}" \
          "#{format ? " -f #{format}" : ''}"
  # no format: run from post_archive; a format: from post_publish (post_process also passes one,
  # and finds nothing published yet)
  if proto == 'spec'
    return 0 unless format.nil?

    archive_raw(meeting_id, recording_dir, rerun)
  else
    return 0 unless format == 'presentation'

    archive_published(meeting_id, recording_dir, rerun)
  end
rescue SystemCallError, IOError => e
  logger.error("#{meeting_id}: #{e.message}; fix it and run this hook again with -m #{meeting_id}")
  1
end

exit(main(ARGV)) if $PROGRAM_NAME == __FILE__
