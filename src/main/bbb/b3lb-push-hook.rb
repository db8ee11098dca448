#!/usr/bin/ruby
# frozen_string_literal: true
#
# b3lb-node post_archive hook. BigBlueButton runs every *.rb in
# /usr/local/bigbluebutton/core/scripts/post_archive/ as `ruby <script> -m <meeting_id>` once
# the archive step has passed its sanity check. This hook packs the raw recording into
# <recording-dir>/<id>.tar and then writes <id>.ready; the b3lb-node service uploads every tar
# whose marker it finds and removes the marker after B3LB accepted it.
#
# The tar is written as <id>.tar.tmp, synced to disk and renamed, and only then is the marker
# created: a marker never points at a half-written tar, whatever crashes when.
#
# Environment (for tests and unusual layouts):
#   B3LB_RAW_DIR        parent of the raw recordings (default /var/bigbluebutton/recording/raw)
#   B3LB_RECORDING_DIR  where tar and marker go (default: b3lb.recording-dir from the service's
#                       config file, else /var/bigbluebutton/recording/status/archived)
#   B3LB_CONFIG         the service's config file (default /etc/b3lb-node/application.properties)
#
# BBB only logs a failing hook and never retries it, so this script logs what happened and what
# to do to /var/log/bigbluebutton/b3lb-push-hook.log (stderr when that is not writable).

require 'optparse'
require 'fileutils'
require 'logger'
require 'open3'

DEFAULT_RAW_DIR = '/var/bigbluebutton/recording/raw'
DEFAULT_RECORDING_DIR = '/var/bigbluebutton/recording/status/archived'
DEFAULT_CONFIG = '/etc/b3lb-node/application.properties'
LOG_FILE = '/var/log/bigbluebutton/b3lb-push-hook.log'
# BBB ids are hex digits and dashes. The first character is a letter or digit: the service's file
# consumer skips hidden files, a leading dash reads as an option to tar, and the cleanup (Java's
# RetentionRule.recordingId) removes exactly the tars whose names this pattern accepts.
VALID_ID = /\A[A-Za-z0-9][A-Za-z0-9._-]*\z/

def logger
  @logger ||= begin
    out = File.open(LOG_FILE, 'a')
    out.sync = true
    Logger.new(out)
  rescue SystemCallError, IOError
    Logger.new($stderr)
  end.tap { |l| l.progname = 'b3lb-push-hook' }
end

# b3lb.recording-dir from the service's properties file, so admins configure it in one place.
# Properties syntax beyond `key=value` / `key: value` lines (continuations, escapes) is not
# needed for a path and not supported.
def configured_recording_dir
  file = ENV.fetch('B3LB_CONFIG', DEFAULT_CONFIG)
  return nil unless File.readable?(file)

  File.foreach(file) do |line|
    line = line.strip
    next if line.empty? || line.start_with?('#', '!')

    key, value = line.split(/\s*[=:]\s*|\s+/, 2)
    return value.strip if key == 'b3lb.recording-dir' && value && !value.strip.empty?
  end
  nil
end

def recording_dir
  dir = ENV['B3LB_RECORDING_DIR']
  dir = configured_recording_dir if dir.nil? || dir.empty?
  dir.nil? || dir.empty? ? DEFAULT_RECORDING_DIR : dir
end

def fsync_path(path)
  File.open(path, 'r', &:fsync)
rescue SystemCallError
  # directories cannot be opened for fsync on every filesystem; the rename is still atomic
  nil
end

# Runs tar with an argument list, never a shell: the id cannot be interpreted as anything.
# Returns tar's complaint, or nil on success.
def make_tar(raw, tmp)
  output, status = Open3.capture2e('tar', '-cf', tmp, '-C', File.dirname(raw), File.basename(raw),
                                   stdin_data: '')
  status.success? ? nil : output.strip
end

def main(argv)
  meeting_id = nil
  parser = OptionParser.new do |o|
    o.banner = 'usage: ruby b3lb-push-hook.rb -m MEETING_ID'
    o.on('-m', '--meeting-id ID', 'the meeting id BigBlueButton passes') { |v| meeting_id = v }
    # post_process/post_publish hooks also get a format; accepted so the same file works there
    o.on('-f', '--format FORMAT') { |_v| nil }
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

  raw = File.join(ENV.fetch('B3LB_RAW_DIR', DEFAULT_RAW_DIR), meeting_id)
  dir = recording_dir
  tar = File.join(dir, "#{meeting_id}.tar")
  tmp = "#{tar}.tmp"
  marker = File.join(dir, "#{meeting_id}.ready")

  if File.file?(tar)
    logger.info("#{meeting_id}: #{tar} already exists, marking it for upload again")
  else
    unless File.directory?(raw)
      logger.warn("#{meeting_id}: no raw recording at #{raw}; nothing to upload " \
                  '(was the meeting recorded? check B3LB_RAW_DIR)')
      return 0
    end
    unless File.directory?(dir)
      logger.error("#{meeting_id}: recording directory #{dir} does not exist; create it " \
                   'or set b3lb.recording-dir, then run this hook again with -m')
      return 1
    end
    File.delete(tmp) if File.exist?(tmp)
    complaint = make_tar(raw, tmp)
    if complaint
      File.delete(tmp) if File.exist?(tmp)
      logger.error("#{meeting_id}: tar of #{raw} into #{tmp} failed: #{complaint}; " \
                   "fix it and run this hook again with -m #{meeting_id}")
      return 1
    end
    fsync_path(tmp)
    File.rename(tmp, tar)
    fsync_path(dir)
  end

  File.open(marker, 'w') { |f| f.fsync }
  fsync_path(dir)
  logger.info("#{meeting_id}: #{tar} (#{File.size(tar)} bytes) marked for upload")
  0
rescue SystemCallError, IOError => e
  File.delete(tmp) if tmp && File.exist?(tmp)
  logger.error("#{meeting_id}: #{e.message}; fix it and run this hook again with -m #{meeting_id}")
  1
end

exit(main(ARGV)) if $PROGRAM_NAME == __FILE__
