//! Media: attachments, files, images and videos.

use zoom_api_gen::types;

use crate::macros::setters;

plain_elements!(Attachment, File, Images, Video);
default_is_new!(Images);

/// A linked file or page with an image.
#[derive(Clone, Debug, PartialEq)]
pub struct Attachment(types::CardAttachments);

impl Attachment {
    /// An attachment that links to `resource_url`.
    pub fn new(resource_url: impl Into<String>) -> Self {
        Self(types::CardAttachments {
            type_: types::CardAttachmentsType::Attachments,
            resource_url: resource_url.into(),
            img_url: None,
            information: None,
            size: None,
            ext: None,
        })
    }

    fn information(&mut self) -> &mut types::CardAttachmentInformation {
        self.0.information.get_or_insert(types::CardAttachmentInformation { title: None, description: None })
    }

    setters! { self.0;
        /// The image shown.
        pub fn image(url: impl Into<String>) => img_url = Some(url.into());
    }

    setters! { self.information();
        /// Its title.
        pub fn title(text: impl Into<String>) = Some(types::CardText { text: text.into() });
        /// Its description.
        pub fn description(text: impl Into<String>) = Some(types::CardText { text: text.into() });
    }

    /// The file size in bytes and its extension, for files.
    pub fn file(mut self, size: u32, ext: impl Into<String>) -> Self {
        self.0.size = Some(i64::from(size));
        self.0.ext = Some(ext.into());
        self
    }
}

/// A file to download.
#[derive(Clone, Debug, PartialEq)]
pub struct File(types::CardFile);

impl File {
    /// A file called `title` at `url`.
    pub fn new(title: impl Into<String>, url: impl Into<String>) -> Self {
        Self(types::CardFile {
            type_: types::CardFileType::File,
            title: Some(types::CardText { text: title.into() }),
            file_url: Some(url.into()),
            description: None,
            icon_url: None,
            size: None,
        })
    }

    setters! { self.0;
        /// Its description.
        pub fn description(text: impl Into<String>) = Some(types::CardText { text: text.into() });
        /// Its size in bytes.
        pub fn size(bytes: u32) = Some(bytes.into());
        /// The icon shown beside it.
        pub fn icon_url(url: impl Into<String>) = Some(url.into());
    }
}

/// A row of images.
#[derive(Clone, Debug, PartialEq)]
pub struct Images(types::CardImages);

impl Images {
    /// No images yet.
    pub fn new() -> Self {
        Self(types::CardImages { type_: types::CardImagesType::Images, items: Vec::new() })
    }

    /// An image at `url`.
    pub fn image(mut self, url: impl Into<String>) -> Self {
        self.0.items.push(types::CardImage { image_url: url.into(), alt_text: None });
        self
    }

    /// An image at `url`, with its alternative text.
    pub fn image_with_alt(mut self, url: impl Into<String>, alt: impl Into<String>) -> Self {
        self.0.items.push(types::CardImage { image_url: url.into(), alt_text: Some(alt.into()) });
        self
    }
}

/// An embedded video.
#[derive(Clone, Debug, PartialEq)]
pub struct Video(types::CardVideo);

impl Video {
    /// The video at `url`.
    pub fn new(url: impl Into<String>) -> Self {
        Self(types::CardVideo {
            type_: types::CardVideoType::Video,
            video_url: url.into(),
            title: None,
            thumbnail_url: None,
        })
    }

    setters! { self.0;
        /// Its title.
        pub fn title(text: impl Into<String>) = Some(text.into());
        /// The still shown before play.
        pub fn thumbnail_url(url: impl Into<String>) = Some(url.into());
    }
}
